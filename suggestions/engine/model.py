"""``fit`` learns from the population; ``Model.recommend`` applies it to each customer's own history.

Scores, per customer u and item j:

- an item she bought (Buy again, replenishable only): the chance her next order holds it, from the
  logistic repeat model of ``repeat`` (her frequency and recency with it, its repeat rate and
  popularity, learnt in ``fit`` from the data's own latest orders);
- an item she has not bought (Discover): ``(discover_weight * Σ_i share_i * sim(i, j) +
  popularity_weight * prior_j) * (1 + affinities)``, where share_i is her decayed share of item i,
  sim the population's item-to-item similarity, prior_j what sells now (raised for a recent
  arrival), and the affinities her lean towards j's brand, category and colour (``scoring``).

Both are multiplied by ``1 + in_stock_boost`` when in stock for her. Combined merges the two by score.
Every list obeys the hard rules of ``rules.allowed`` and the ``max_per_category`` cap.
"""

import math
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp  # type: ignore[import-untyped]

from suggestions.engine import peers, population, repeat, replenishment, starters
from suggestions.engine.candidates import Candidates, Context, new_candidates, repeat_candidates
from suggestions.engine.history import build_profile, customer_spans, signal_lines
from suggestions.engine.parallel import in_threads
from suggestions.engine.ranking import best_per_group, order_rows_by_score
from suggestions.engine.reasons import Explained, History, explain
from suggestions.engine.rules import PreferenceIndex, pick
from suggestions.engine.scoring import StockIndex, stock_for
from suggestions.engine.types import (
    BUY_AGAIN,
    COMBINED,
    DISCOVER,
    MODEL_VERSION,
    BoolArray,
    Catalogue,
    Config,
    FloatArray,
    IntArray,
    Interactions,
    LongArray,
    Preferences,
    Suggestions,
)


def resolve_now(config: Config, interactions: Interactions, catalogue: Catalogue) -> float:
    """``config.now``, or else the latest day of a non-sensitive purchase (0 if none)."""
    if not math.isnan(config.now):
        return config.now
    days = interactions.day[~catalogue.sensitive[interactions.item]]
    return float(days.max()) if len(days) else 0.0


@dataclass(frozen=True)
class Model:
    """Population statistics learnt by ``fit``: plain arrays, safe to pickle and share."""

    similarity: sp.csr_matrix
    """items x items, float32: the strongest ``neighbours`` of each item."""
    popularity: FloatArray
    """Orders holding the item, decayed with ``popularity_half_life_days`` (what sells now), max 1."""
    lifetime_popularity: FloatArray
    """Orders holding the item, undecayed, best seller = 1."""
    repeat_rate: FloatArray
    """Share of a buyer's later orders that held the item again."""
    repeat_weights: FloatArray
    """The logistic model of a repeat purchase (``repeat.FEATURES``, then the intercept)."""
    fitted_at: float
    """The day the statistics were computed for (``Config.now`` at fit)."""
    n_items: int
    config: Config
    model_version: str = field(default=MODEL_VERSION)
    # For customers without history (``starters``); None in a model fitted before they existed.
    store_popularity: sp.csr_matrix | None = None
    seasonal_popularity: FloatArray | None = None
    price_band: FloatArray | None = None
    # Which items are bought again, and how often (``replenishment``); None in an older model.
    repeat_share: FloatArray | None = None
    interval_days: FloatArray | None = None
    repeat_buyers: npt.NDArray[np.int32] | None = None
    # What the clients who told us a like buy (``peers``); None without likes or in an older model.
    taste_brand: sp.csr_matrix | None = None
    taste_category: sp.csr_matrix | None = None

    def tastes(self) -> peers.Tastes:
        if self.taste_brand is None or self.taste_category is None:
            return peers.nobody(self.n_items)
        return peers.Tastes(self.taste_brand, self.taste_category)

    def cycles(self) -> replenishment.Cycles:
        if self.repeat_share is None or self.interval_days is None or self.repeat_buyers is None:
            return replenishment.Cycles(
                repeat_share=np.zeros(self.n_items),
                interval_days=np.full(self.n_items, math.nan),
                buyers=np.zeros(self.n_items, dtype=np.int32),
            )
        return replenishment.Cycles(self.repeat_share, self.interval_days, self.repeat_buyers)

    def learnt_starters(self) -> starters.Learnt:
        if self.store_popularity is None or self.seasonal_popularity is None or self.price_band is None:
            return starters.empty(self.n_items)
        return starters.Learnt(self.store_popularity, self.seasonal_popularity, self.price_band)

    def recommend(
        self,
        customers: npt.ArrayLike,
        interactions: Interactions,
        catalogue: Catalogue,
        preferences: Preferences | None = None,
        config: Config | None = None,
    ) -> Suggestions:
        """Buy again, Discover and Combined lists for ``customers``, rows sorted by customer, list, rank.

        ``interactions`` may hold the whole history or only these customers' rows; other customers'
        rows are ignored. ``config`` defaults to the one the model was fitted with; list sizes,
        windows and mixing weights may differ from it, the population statistics stay as fitted.
        A customer without usable history gets her store's and the season's best sellers within her
        store's price band, and those of the brands and categories she likes (``starters``).
        """
        config = self.config if config is None else config
        preferences = Preferences() if preferences is None else preferences
        if catalogue.n_items != self.n_items or interactions.n_items != self.n_items:
            raise ValueError(
                f"The model was fitted on {self.n_items} items; the catalogue has {catalogue.n_items} "
                f"and the interactions {interactions.n_items}."
            )
        catalogue = replenishment.with_eligibility(self.cycles(), catalogue, config)
        asked = np.unique(np.asarray(customers, dtype=np.int64))
        if len(asked) and (asked[0] < 0 or asked[-1] >= interactions.n_customers):
            raise ValueError("A customer index is outside 0..n_customers-1.")
        wanted_ids: IntArray = asked.astype(np.int32)
        now = resolve_now(config, interactions, catalogue)
        wanted = np.zeros(interactions.n_customers, dtype=bool)
        wanted[wanted_ids] = True
        lines = signal_lines(interactions, catalogue.sensitive, customers=wanted)
        profile = build_profile(lines, n_items=self.n_items, basket_decay=config.basket_decay)
        prior = _item_prior(self, catalogue, config, now)
        index = PreferenceIndex.build(preferences, now=now, dismiss_days=config.dismiss_days)
        item_ok = catalogue.suggestable & ~catalogue.sensitive
        context = Context(
            model=self,
            catalogue=catalogue,
            preferences=preferences,
            index=index,
            config=config,
            now=now,
            profile=profile,
            spans=customer_spans(profile.customer, interactions.n_customers),
            similarity=_suggestable_columns(self.similarity, item_ok),
            prior=prior,
            item_ok=item_ok,
            best_sellers=_best_sellers(prior, catalogue, config),
            brand_pool=_brand_pool(prior, catalogue, config, now),
            stock=StockIndex.of(catalogue.stock),
            starters=starters.Pools.of(self.learnt_starters(), catalogue, config, prior, item_ok),
        )
        # Batches of at most batch_size, and at least one per worker.
        size = max(1, min(config.batch_size, -(-len(wanted_ids) // max(config.workers, 1))))
        batches = [wanted_ids[start : start + size] for start in range(0, len(wanted_ids), size)]
        return Suggestions.concatenate(
            in_threads(lambda batch: _recommend_batch(batch, context), batches, config.workers)
        )


def fit(
    interactions: Interactions, catalogue: Catalogue, config: Config, likes: Preferences | None = None
) -> Model:
    """Learn popularity, repeat behaviour, which items are bought again (and how often) and
    item-to-item similarity from every signal row; with ``likes`` (the brands and categories
    customers said they like, indexed like ``interactions``), what the clients of each taste buy."""
    if catalogue.n_items != interactions.n_items:
        raise ValueError(
            f"The catalogue has {catalogue.n_items} items, the interactions {interactions.n_items}."
        )
    now = resolve_now(config, interactions, catalogue)
    n_customers, n_items = interactions.n_customers, interactions.n_items
    lines = signal_lines(interactions, catalogue.sensitive)
    profile = build_profile(lines, n_items=n_items, basket_decay=config.basket_decay)
    learnt = starters.learn(interactions, catalogue, config, now)
    cycles = replenishment.learn(profile, lines, catalogue.category, config)
    tastes = peers.nobody(n_items) if likes is None else peers.learn(profile, likes, catalogue, config)
    return Model(
        similarity=population.item_similarity(lines, n_customers, n_items, config, now),
        popularity=population.popularity(
            lines, n_items, now=now, half_life_days=config.popularity_half_life_days
        ),
        lifetime_popularity=population.popularity(lines, n_items, now=now, half_life_days=math.inf),
        repeat_rate=population.repeat_rates(profile, n_items),
        repeat_weights=repeat.learn_weights(lines, n_customers, n_items, config, now),
        fitted_at=now,
        n_items=n_items,
        config=config,
        store_popularity=learnt.store_popularity,
        seasonal_popularity=learnt.seasonal_popularity,
        price_band=learnt.price_band,
        repeat_share=cycles.repeat_share,
        interval_days=cycles.interval_days,
        repeat_buyers=cycles.buyers,
        taste_brand=tastes.by_brand,
        taste_category=tastes.by_category,
    )


def _recommend_batch(batch: IntArray, context: Context) -> Suggestions:
    catalogue, config, profile = context.catalogue, context.config, context.profile
    lo, hi = int(context.spans[batch[0]]), int(context.spans[batch[-1] + 1])
    history = History(
        row=np.searchsorted(batch, profile.customer[lo:hi]).astype(np.int64),
        item=profile.item[lo:hi],
        share=profile.weight[lo:hi] / profile.total_weight[profile.customer[lo:hi]],
        last_day=profile.last_day[lo:hi],
        times=profile.times[lo:hi],
    )
    merged = Candidates.join(
        repeat_candidates(batch, history, slice(lo, hi), context),
        new_candidates(batch, history, context),
    )
    stock = stock_for(batch[merged.row], merged.item, context=context)
    score = merged.score * (1.0 + config.in_stock_boost * stock.in_stock)

    chosen: list[tuple[int, LongArray, IntArray]] = []
    categories = catalogue.category[merged.item]
    order = order_rows_by_score(merged.row, score)
    places = config.k_buy_again + config.k_discover
    shared = config.min_per_list is not None
    most = places - min(config.min_per_list or 0, places // 2)
    for which, mask, k in (
        (BUY_AGAIN, merged.repeat, most if shared else config.k_buy_again),
        (DISCOVER, ~merged.repeat, most if shared else config.k_discover),
        (COMBINED, None, max(config.k_combined, places) if shared else config.k_combined),
    ):
        picked, rank = pick(
            merged.row,
            order if mask is None else order[mask[order]],
            categories,
            k=k,
            max_per_category=config.max_per_category,
            depth=config.candidates,
        )
        chosen.append((which, picked, rank))
    if shared:
        chosen = _share_places(chosen, merged.row, merged.repeat, len(batch), places, config)

    shown = np.unique(np.concatenate([positions for _, positions, _ in chosen]))
    explained = explain(
        batch=batch,
        rows=merged.row[shown],
        items=merged.item[shown],
        repeat=merged.repeat[shown],
        base=merged.base[shown],
        brand_affinity=merged.brand_affinity[shown],
        category_affinity=merged.category_affinity[shown],
        restocked=stock.restocked[shown],
        size=stock.size[shown],
        history=history,
        context=context,
    )
    return _assemble(batch, merged, score, chosen, shown, explained)


def _share_places(
    chosen: list[tuple[int, LongArray, IntArray]],
    rows: LongArray,
    repeat: BoolArray,
    n_rows: int,
    places: int,
    config: Config,
) -> list[tuple[int, LongArray, IntArray]]:
    """Buy again and Discover cut so that together they fill ``places``, split as her combined list
    is (``Config.min_per_list``); the combined list cut back to ``k_combined``."""
    (_, buy, buy_rank), (_, new, new_rank), (_, both, both_rank) = chosen
    low = min(config.min_per_list or 0, places // 2)
    top = both[both_rank <= places]
    repeats = np.bincount(rows[top[repeat[top]]], minlength=n_rows)
    have_buy = np.bincount(rows[buy], minlength=n_rows)
    have_new = np.bincount(rows[new], minlength=n_rows)
    n_buy = np.minimum(np.clip(repeats, low, places - low), have_buy)
    n_buy = np.minimum(np.maximum(n_buy, places - have_new), have_buy)  # her Discover is short
    keep_buy = buy_rank <= n_buy[rows[buy]]
    keep_new = new_rank <= (places - n_buy)[rows[new]]
    keep_both = both_rank <= config.k_combined
    return [
        (BUY_AGAIN, buy[keep_buy], buy_rank[keep_buy]),
        (DISCOVER, new[keep_new], new_rank[keep_new]),
        (COMBINED, both[keep_both], both_rank[keep_both]),
    ]


def _suggestable_columns(similarity: sp.csr_matrix, ok: BoolArray) -> sp.csr_matrix:
    pruned = similarity.copy()
    pruned.data = np.where(ok[pruned.indices], pruned.data, 0).astype(pruned.data.dtype)
    pruned.eliminate_zeros()
    return pruned


def _item_prior(model: Model, catalogue: Catalogue, config: Config, now: float) -> FloatArray:
    arrived = (now - catalogue.new_since) <= config.new_days  # nan (unknown) compares False
    return np.where(arrived, np.maximum(model.popularity, config.new_arrival_popularity), model.popularity)


def _best_sellers(prior: FloatArray, catalogue: Catalogue, config: Config) -> IntArray:
    """The most popular suggestable, non-sensitive items: enough to fill every list after the rules."""
    eligible = np.flatnonzero(catalogue.suggestable & ~catalogue.sensitive & (prior > 0))
    wanted = 2 * max(config.k_buy_again, config.k_discover, config.k_combined) + 10
    order = np.lexsort((eligible, -prior[eligible]))
    return eligible[order[:wanted]].astype(np.int32)


def _brand_pool(prior: FloatArray, catalogue: Catalogue, config: Config, now: float) -> sp.csr_matrix:
    # Within each brand by prior: recent arrivals rank high through their raised prior.
    eligible = np.flatnonzero(catalogue.suggestable & ~catalogue.sensitive & (catalogue.brand >= 0))
    n_brands = int(catalogue.brand.max(initial=-1)) + 1
    return best_per_group(catalogue.brand, prior, eligible, size=config.brand_pool_size, n_groups=n_brands)


def _assemble(
    batch: IntArray,
    merged: Candidates,
    score: FloatArray,
    chosen: list[tuple[int, LongArray, IntArray]],
    shown: LongArray,
    explained: Explained,
) -> Suggestions:
    positions = np.concatenate([picked for _, picked, _ in chosen])
    lists = np.concatenate([np.full(len(picked), code, dtype=np.int8) for code, picked, _ in chosen])
    ranks = np.concatenate([rank for _, _, rank in chosen]).astype(np.int32)
    customers = batch[merged.row[positions]].astype(np.int32)
    key = (customers.astype(np.int64) << 32) | (lists.astype(np.int64) << 24) | ranks.astype(np.int64)
    order = np.argsort(key, kind="stable")
    positions = positions[order]
    at = np.searchsorted(shown, positions)
    return Suggestions(
        customer=customers[order],
        item=merged.item[positions].astype(np.int32),
        rank=ranks[order],
        list=lists[order],
        score=score[positions].astype(np.float32),
        reason=explained.reason[at],
        anchor_item=explained.anchor_item[at],
        anchor_day=explained.anchor_day[at],
        reason_value=explained.reason_value[at],
        times_bought=explained.times_bought[at],
    )
