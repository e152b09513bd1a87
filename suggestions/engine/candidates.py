"""Candidates for one batch of customers: what she may buy again, and new items worth showing her.

``repeat_candidates`` scores the items she bought with the repeat model; ``new_candidates`` gathers
the items most similar to hers, plus best sellers and arrivals of brands she loves, and keeps those
the hard rules allow. ``model._recommend_batch`` ranks and explains them.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped]

from suggestions.engine import repeat, starters
from suggestions.engine.history import Profile
from suggestions.engine.ranking import top_n_per_row
from suggestions.engine.reasons import History
from suggestions.engine.rules import PreferenceIndex, allowed
from suggestions.engine.scoring import StockIndex, affinities
from suggestions.engine.types import (
    BoolArray,
    Catalogue,
    Config,
    FloatArray,
    IntArray,
    LongArray,
    Preferences,
)

if TYPE_CHECKING:
    from suggestions.engine.model import Model

BITMAP_CELLS = 1 << 23
"""Cells (bytes) of the customers x items bitmap used to spot items she bought (fits in cache)."""


@dataclass(frozen=True)
class Context:
    """What every batch of one ``recommend`` call shares."""

    model: "Model"
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
    starters: starters.Pools


@dataclass(frozen=True)
class Candidates:
    row: LongArray
    """Position of the customer in the batch."""
    item: IntArray
    score: FloatArray
    repeat: BoolArray
    base: FloatArray
    """Σ_i share_i x sim(i, item) for a new item (0 for a repeat or a pure popularity pick)."""
    brand_affinity: FloatArray
    category_affinity: FloatArray

    def __getitem__(self, keep: BoolArray | LongArray) -> "Candidates":
        return Candidates(
            row=self.row[keep],
            item=self.item[keep],
            score=self.score[keep],
            repeat=self.repeat[keep],
            base=self.base[keep],
            brand_affinity=self.brand_affinity[keep],
            category_affinity=self.category_affinity[keep],
        )

    @staticmethod
    def join(first: "Candidates", second: "Candidates") -> "Candidates":
        return Candidates(
            row=np.concatenate([first.row, second.row]),
            item=np.concatenate([first.item, second.item]),
            score=np.concatenate([first.score, second.score]),
            repeat=np.concatenate([first.repeat, second.repeat]),
            base=np.concatenate([first.base, second.base]),
            brand_affinity=np.concatenate([first.brand_affinity, second.brand_affinity]),
            category_affinity=np.concatenate([first.category_affinity, second.category_affinity]),
        )


def repeat_candidates(batch: IntArray, history: History, rows: slice, context: Context) -> Candidates:
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
    return Candidates(
        row=history.row[ok],
        item=history.item[ok],
        score=score,
        repeat=np.ones(len(score), dtype=bool),
        base=zeros,
        brand_affinity=zeros,
        category_affinity=zeros,
    )


def new_candidates(batch: IntArray, history: History, context: Context) -> Candidates:
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
    cold = starters.is_cold(history.row, n_rows)
    home = starters.home_stores(batch, context)
    starter_rows, starter_items = starters.candidates(batch, cold, home, context)
    extra_rows = np.concatenate([fill_rows, brand_rows, starter_rows])
    extra_items = np.concatenate([fill_items, brand_items, starter_items]).astype(np.int32)
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
    # Without history: only what her store usually sells, by price.
    fits = ~cold[rows] | starters.in_band(home[rows], items, context)
    rows, items, base = rows[fits], items[fits], base[fits]

    affinity = affinities(batch, (history.row, history.item, history.share), (rows, items), context=context)
    popular = context.prior[items]
    if cold.any():
        # Without history, what sells at her store, at this time of year and with the clients who
        # like what she likes counts beside the chain.
        at_store, in_season = starters.parts(home[rows], items, context)
        liked = starters.liked_by_peers(batch, cold, rows, items, context)
        popular = np.where(cold[rows], popular + at_store + in_season + liked, popular)
    score = config.discover_weight * base + config.popularity_weight * popular
    score *= affinity.boost(
        brand_weight=config.brand_weight,
        category_weight=config.category_weight,
        colour_weight=config.colour_weight,
    )
    return Candidates(
        row=rows,
        item=items,
        score=score,
        repeat=np.zeros(len(items), dtype=bool),
        base=base,
        brand_affinity=affinity.brand,
        category_affinity=affinity.category,
    )


def _passes(
    batch: IntArray, rows: LongArray, items: IntArray, bought: BoolArray, context: Context
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


def _brand_candidates(batch: IntArray, history: History, context: Context) -> tuple[LongArray, IntArray]:
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
    liked_rows, liked_brands = context.index.liked_brand_pairs.of_rows(batch)
    rows.append(liked_rows)
    values.append(liked_brands)
    her_rows, her_brands = np.concatenate(rows), np.concatenate(values)
    valid = (her_brands >= 0) & (her_brands < n_brands)
    hers = sp.csr_matrix(
        (np.ones(int(valid.sum())), (her_rows[valid], her_brands[valid])), shape=(len(batch), n_brands)
    )
    found = (hers @ pool).tocoo()
    return found.row.astype(np.int64), found.col.astype(np.int32)
