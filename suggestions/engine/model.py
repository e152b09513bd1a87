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

from suggestions.engine import population, repeat
from suggestions.engine.history import Profile, build_profile, customer_spans, signal_lines
from suggestions.engine.parallel import in_threads
from suggestions.engine.ranking import order_rows_by_score, top_n_per_row
from suggestions.engine.reasons import Explained, History, explain
from suggestions.engine.rules import PreferenceIndex, allowed, pick
from suggestions.engine.scoring import StockIndex, affinities, ranges, stock_for
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

BITMAP_CELLS = 1 << 23
"""Cells (bytes) of the customers x items bitmap used to spot items she bought (fits in cache)."""


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
        A customer without usable history gets best sellers (reason POPULAR).
        """
        config = self.config if config is None else config
        preferences = Preferences() if preferences is None else preferences
        if catalogue.n_items != self.n_items or interactions.n_items != self.n_items:
            raise ValueError(
                f"The model was fitted on {self.n_items} items; the catalogue has {catalogue.n_items} "
                f"and the interactions {interactions.n_items}."
            )
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
        context = _Context(
            model=self,
            catalogue=catalogue,
            preferences=preferences,
            index=index,
            config=config,
            now=now,
            profile=profile,
            spans=customer_spans(profile.customer, interactions.n_customers),
            similarity=_suggestable_columns(self.similarity, catalogue.suggestable & ~catalogue.sensitive),
            prior=prior,
            item_ok=catalogue.suggestable & ~catalogue.sensitive,
            best_sellers=_best_sellers(prior, catalogue, config),
            brand_pool=_brand_pool(prior, catalogue, config, now),
            stock=StockIndex.of(catalogue.stock),
        )
        # Batches of at most batch_size, and at least one per worker.
        size = max(1, min(config.batch_size, -(-len(wanted_ids) // max(config.workers, 1))))
        batches = [wanted_ids[start : start + size] for start in range(0, len(wanted_ids), size)]
        return Suggestions.concatenate(
            in_threads(lambda batch: _recommend_batch(batch, context), batches, config.workers)
        )


def fit(interactions: Interactions, catalogue: Catalogue, config: Config) -> Model:
    """Learn popularity, repeat behaviour and item-to-item similarity from every signal row."""
    if catalogue.n_items != interactions.n_items:
        raise ValueError(
            f"The catalogue has {catalogue.n_items} items, the interactions {interactions.n_items}."
        )
    now = resolve_now(config, interactions, catalogue)
    n_customers, n_items = interactions.n_customers, interactions.n_items
    lines = signal_lines(interactions, catalogue.sensitive)
    profile = build_profile(lines, n_items=n_items, basket_decay=config.basket_decay)
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
    )


@dataclass(frozen=True)
class _Context:
    """What every batch of one ``recommend`` call shares."""

    model: Model
    catalogue: Catalogue
    preferences: Preferences
    index: PreferenceIndex
    config: Config
    now: float
    profile: Profile
    spans: LongArray
    similarity: sp.csr_matrix
    """The model's similarity without columns that can never be suggested (sensitive, unsuggestable)."""
    prior: FloatArray
    """Per item: what sells now, raised to ``new_arrival_popularity`` for a recent arrival."""
    item_ok: BoolArray
    """Per item: suggestable and not sensitive."""
    best_sellers: IntArray
    brand_pool: sp.csr_matrix
    """brands x items: each brand's best sellers and recent arrivals (suggestable, not sensitive)."""
    stock: StockIndex | None


@dataclass(frozen=True)
class _Candidates:
    row: LongArray
    """Position of the customer in the batch."""
    item: IntArray
    score: FloatArray
    repeat: BoolArray
    base: FloatArray
    """Σ_i share_i x sim(i, item) for a new item (0 for a repeat or a pure popularity pick)."""
    brand_affinity: FloatArray
    category_affinity: FloatArray

    def __getitem__(self, keep: BoolArray | LongArray) -> "_Candidates":
        return _Candidates(
            row=self.row[keep],
            item=self.item[keep],
            score=self.score[keep],
            repeat=self.repeat[keep],
            base=self.base[keep],
            brand_affinity=self.brand_affinity[keep],
            category_affinity=self.category_affinity[keep],
        )

    @staticmethod
    def join(first: "_Candidates", second: "_Candidates") -> "_Candidates":
        return _Candidates(
            row=np.concatenate([first.row, second.row]),
            item=np.concatenate([first.item, second.item]),
            score=np.concatenate([first.score, second.score]),
            repeat=np.concatenate([first.repeat, second.repeat]),
            base=np.concatenate([first.base, second.base]),
            brand_affinity=np.concatenate([first.brand_affinity, second.brand_affinity]),
            category_affinity=np.concatenate([first.category_affinity, second.category_affinity]),
        )


def _recommend_batch(batch: IntArray, context: _Context) -> Suggestions:
    catalogue, config, profile = context.catalogue, context.config, context.profile
    lo, hi = int(context.spans[batch[0]]), int(context.spans[batch[-1] + 1])
    history = History(
        row=np.searchsorted(batch, profile.customer[lo:hi]).astype(np.int64),
        item=profile.item[lo:hi],
        share=profile.weight[lo:hi] / profile.total_weight[profile.customer[lo:hi]],
        last_day=profile.last_day[lo:hi],
        times=profile.times[lo:hi],
    )
    merged = _Candidates.join(
        _repeat_candidates(batch, history, slice(lo, hi), context),
        _new_candidates(batch, history, context),
    )
    stock = stock_for(batch[merged.row], merged.item, context=context)
    score = merged.score * (1.0 + config.in_stock_boost * stock.in_stock)

    chosen: list[tuple[int, LongArray, IntArray]] = []
    categories = catalogue.category[merged.item]
    order = order_rows_by_score(merged.row, score)
    for which, mask, k in (
        (BUY_AGAIN, merged.repeat, config.k_buy_again),
        (DISCOVER, ~merged.repeat, config.k_discover),
        (COMBINED, None, config.k_combined),
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

    shown = np.unique(np.concatenate([positions for _, positions, _ in chosen]))
    explained = explain(
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


def _repeat_candidates(batch: IntArray, history: History, rows: slice, context: _Context) -> _Candidates:
    """Her replenishable items that pass the rules, scored by the learnt chance she buys them next."""
    model = context.model
    ok = context.catalogue.replenishable[history.item]
    ok &= allowed(
        batch[history.row],
        history.item,
        catalogue=context.catalogue,
        index=context.index,
        last_bought=history.last_day,
        now=context.now,
        config=context.config,
    )
    score = repeat.scores(
        context.profile,
        np.arange(rows.start, rows.stop)[ok],
        weights=model.repeat_weights,
        repeat_rate=model.repeat_rate,
        trend=model.popularity,
        lifetime=model.lifetime_popularity,
    )
    zeros = np.zeros(len(score))
    return _Candidates(
        row=history.row[ok],
        item=history.item[ok],
        score=score,
        repeat=np.ones(len(score), dtype=bool),
        base=zeros,
        brand_affinity=zeros,
        category_affinity=zeros,
    )


def _new_candidates(batch: IntArray, history: History, context: _Context) -> _Candidates:
    """Items she has not bought that pass the rules: the best ``candidates`` neighbours of her items,
    then the best sellers and her favourite brands' best and newest, scored and boosted."""
    model, config = context.model, context.config
    n_rows, n_items = len(batch), model.n_items

    share = sp.csr_matrix((history.share, (history.row, history.item)), shape=(n_rows, n_items))
    similar = share @ context.similarity  # no duplicates; indices within a row unsorted
    rows = np.repeat(np.arange(n_rows, dtype=np.int64), np.diff(similar.indptr))
    items = similar.indices
    fresh = ~_bought(history, rows, items, n_rows, n_items)
    rows, items, base = rows[fresh], items[fresh].astype(np.int32), similar.data[fresh].astype(np.float64)
    first_score = config.discover_weight * base + config.popularity_weight * context.prior[items]
    kept = top_n_per_row(rows, first_score, config.candidates)
    rows, items, base = rows[kept], items[kept], base[kept]
    ok = _passes(batch, rows, items, np.zeros(len(rows), dtype=bool), context)
    rows, items, base = rows[ok], items[ok], base[ok]

    fill_rows = np.repeat(np.arange(n_rows, dtype=np.int64), len(context.best_sellers))
    fill_items = np.tile(context.best_sellers, n_rows)
    brand_rows, brand_items = _brand_candidates(batch, history, context)
    extra_rows = np.concatenate([fill_rows, brand_rows])
    extra_items = np.concatenate([fill_items, brand_items]).astype(np.int32)
    order = np.argsort(extra_rows, kind="stable")
    extra_rows, extra_items = extra_rows[order], extra_items[order]
    ok = _passes(
        batch, extra_rows, extra_items, _bought(history, extra_rows, extra_items, n_rows, n_items), context
    )
    keys = np.concatenate([rows * n_items + items, extra_rows[ok] * n_items + extra_items[ok]])
    bases = np.concatenate([base, np.zeros(int(ok.sum()))])
    keys, first = np.unique(keys, return_index=True)  # a neighbour comes first and keeps its base
    base = bases[first]
    rows, items = keys // n_items, (keys % n_items).astype(np.int32)

    affinity = affinities(batch, (history.row, history.item, history.share), (rows, items), context=context)
    score = config.discover_weight * base + config.popularity_weight * context.prior[items]
    score *= affinity.boost(
        brand_weight=config.brand_weight,
        category_weight=config.category_weight,
        colour_weight=config.colour_weight,
    )
    return _Candidates(
        row=rows,
        item=items,
        score=score,
        repeat=np.zeros(len(items), dtype=bool),
        base=base,
        brand_affinity=affinity.brand,
        category_affinity=affinity.category,
    )


def _passes(
    batch: IntArray, rows: LongArray, items: IntArray, bought: BoolArray, context: _Context
) -> BoolArray:
    """Not bought by her (``bought``: per entry), suggestable, not sensitive, allowed by her preferences.

    Nothing here needs the recency rule: she never bought these items.
    """
    ok = context.item_ok[items] & ~bought
    ok[ok] = context.index.permits(batch[rows[ok]], items[ok], context.catalogue)
    return ok


def _bought(history: History, rows: LongArray, items: IntArray, n_rows: int, n_items: int) -> BoolArray:
    """Per (row, item) entry: did she buy it. A bitmap of a slice of rows at a time: a pass, no sort."""
    out = np.zeros(len(rows), dtype=bool)
    if len(rows) == 0 or len(history.row) == 0:
        return out
    step = max(1, BITMAP_CELLS // n_items)
    entry_bounds = np.searchsorted(rows, np.arange(0, n_rows + step, step))
    history_bounds = np.searchsorted(history.row, np.arange(0, n_rows + step, step))
    bitmap = np.zeros((step, n_items), dtype=bool)
    for chunk in range(len(entry_bounds) - 1):
        first = chunk * step
        h_lo, h_hi = history_bounds[chunk], history_bounds[chunk + 1]
        e_lo, e_hi = entry_bounds[chunk], entry_bounds[chunk + 1]
        if h_lo == h_hi or e_lo == e_hi:
            continue
        bitmap[history.row[h_lo:h_hi] - first, history.item[h_lo:h_hi]] = True
        out[e_lo:e_hi] = bitmap[rows[e_lo:e_hi] - first, items[e_lo:e_hi]]
        bitmap[history.row[h_lo:h_hi] - first, history.item[h_lo:h_hi]] = False
    return out


def _brand_candidates(batch: IntArray, history: History, context: _Context) -> tuple[LongArray, IntArray]:
    """For each customer, the pool (best sellers and recent arrivals) of her favourite brands: the
    ``loved_brands`` she spends most of her history on, and every brand she said she likes."""
    pool = context.brand_pool
    if pool.nnz == 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int32)
    n_brands = pool.shape[0]
    brands = context.catalogue.brand[history.item]
    known = brands >= 0
    keys, inverse = np.unique(history.row[known] * n_brands + brands[known], return_inverse=True)
    weight = np.bincount(inverse, weights=history.share[known], minlength=len(keys))
    her_row = keys // n_brands
    chosen = top_n_per_row(her_row, weight, context.config.loved_brands)
    rows = [her_row[chosen]]
    values = [keys[chosen] % n_brands]
    liked = context.index.liked_brand_pairs
    start, count = liked.spans(batch)
    rows.append(np.repeat(np.arange(len(batch), dtype=np.int64), count))
    values.append(liked.value[np.repeat(start, count) + ranges(count)])
    her_rows, her_brands = np.concatenate(rows), np.concatenate(values)
    valid = (her_brands >= 0) & (her_brands < n_brands)
    hers = sp.csr_matrix(
        (np.ones(int(valid.sum())), (her_rows[valid], her_brands[valid])), shape=(len(batch), n_brands)
    )
    found = (hers @ pool).tocoo()
    return found.row.astype(np.int64), found.col.astype(np.int32)


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
    n_brands = int(catalogue.brand.max(initial=-1)) + 1
    eligible = np.flatnonzero(catalogue.suggestable & ~catalogue.sensitive & (catalogue.brand >= 0))
    brand = catalogue.brand[eligible]
    # Within each brand by prior: recent arrivals rank high through their raised prior.
    order = np.lexsort((eligible, -prior[eligible], brand))
    brand, items = brand[order], eligible[order]
    starts = np.searchsorted(brand, np.arange(n_brands))
    position = np.arange(len(items)) - starts[brand]
    keep = position < config.brand_pool_size
    return sp.csr_matrix(
        (np.ones(int(keep.sum())), (brand[keep], items[keep])), shape=(n_brands, catalogue.n_items)
    )


def _assemble(
    batch: IntArray,
    merged: _Candidates,
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
