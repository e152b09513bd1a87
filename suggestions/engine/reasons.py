"""Why each shown item is suggested: a reason code plus the data for a sentence.

First that applies:

1. IN_STOCK: back in stock (within ``restock_days``) in her store and size: reason_value = size;
2. BOUGHT_BEFORE (her own item): anchor = the item, anchor_day = when she last bought it;
3. NEW_FROM_BRAND: arrived within ``new_days``, from a brand she loves (below): reason_value = brand;
4. GOES_WITH: one of her purchases explains at least ``ANCHOR_SHARE`` of the similarity score:
   anchor = that item, anchor_day = when she last bought it;
5. POPULAR_WITH_SIMILAR: the similarity score comes from several of her purchases;
6. BRAND_YOU_LOVE, then CATEGORY_YOU_LIKE: her share of its brand (category) is ``AFFINITY_FLOOR``
   above the population's, or she said she likes it: reason_value = the brand (category);
7. IN_YOUR_SIZE: in stock at her store in a size she told us: reason_value = the size;
8. LIKED_BY_PEERS, POPULAR_AT_STORE, IN_SEASON (without history): a favourite of the clients who
   like what she said she likes (``peers``), among her store's best sellers now (reason_value = the
   store), or among this season's a year ago, each from ``starters.FAVOURITE_FLOOR``, whichever is
   the strongest;
9. POPULAR.

An item she bought keeps its anchor (itself), anchor_day and times_bought whatever its reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from suggestions.engine import starters
from suggestions.engine.ranking import order_rows_by_score
from suggestions.engine.types import (
    BOUGHT_BEFORE,
    BRAND_YOU_LOVE,
    CATEGORY_YOU_LIKE,
    GOES_WITH,
    IN_SEASON,
    IN_STOCK,
    IN_YOUR_SIZE,
    LIKED_BY_PEERS,
    NEW_FROM_BRAND,
    POPULAR,
    POPULAR_AT_STORE,
    POPULAR_WITH_SIMILAR,
    BoolArray,
    FloatArray,
    IntArray,
    LongArray,
)

if TYPE_CHECKING:
    from suggestions.engine.candidates import Context

ANCHOR_SHARE = 0.4
AFFINITY_FLOOR = 0.05
"""An affinity (her share above the population's) this high names a brand or category she loves."""


TIE = 1e-6


@dataclass(frozen=True)
class Explained:
    reason: npt.NDArray[np.int8]
    anchor_item: IntArray
    anchor_day: FloatArray
    reason_value: IntArray
    times_bought: IntArray


@dataclass(frozen=True)
class History:
    """Her signal items in the batch, sorted by row then item."""

    row: LongArray
    item: IntArray
    share: FloatArray
    last_day: FloatArray
    times: IntArray


def explain(
    *,
    batch: IntArray,
    rows: LongArray,
    items: IntArray,
    repeat: BoolArray,
    base: FloatArray,
    brand_affinity: FloatArray,
    category_affinity: FloatArray,
    restocked: FloatArray,
    size: IntArray,
    history: History,
    context: Context,
) -> Explained:
    catalogue, config, now = context.catalogue, context.config, context.now
    n = len(rows)
    n_items = context.model.n_items
    reason = np.full(n, POPULAR, dtype=np.int8)
    anchor_item = np.full(n, -1, dtype=np.int32)
    anchor_day = np.full(n, np.nan)
    reason_value = np.full(n, -1, dtype=np.int32)
    times_bought = np.zeros(n, dtype=np.int32)
    undecided = np.ones(n, dtype=bool)

    def decide(mask: BoolArray, code: int) -> BoolArray:
        chosen = mask & undecided
        reason[chosen] = code
        undecided[chosen] = False
        return chosen

    # Her own items: when she last bought them, how often.
    history_keys = history.row * n_items + history.item
    own = np.flatnonzero(repeat)
    at = np.searchsorted(history_keys, rows[own] * n_items + items[own])
    anchor_item[own] = items[own]
    anchor_day[own] = history.last_day[at]
    times_bought[own] = history.times[at]

    back = decide((now - restocked) <= config.restock_days, IN_STOCK)  # nan compares False
    reason_value[back] = size[back]
    decide(repeat, BOUGHT_BEFORE)

    brand = catalogue.brand[items]
    arrived = (now - catalogue.new_since[items]) <= config.new_days
    loved_brand = (brand >= 0) & (brand_affinity >= AFFINITY_FLOOR)
    new_from_brand = decide(arrived & loved_brand, NEW_FROM_BRAND)
    reason_value[new_from_brand] = brand[new_from_brand]

    similar = np.flatnonzero(undecided & (base > 0))
    if len(similar):
        best_item, best_part = _strongest_anchor(rows[similar], items[similar], history, context)
        single = best_part >= ANCHOR_SHARE * base[similar]
        goes = similar[single]
        reason[goes] = GOES_WITH
        anchor_item[goes] = best_item[single]
        anchor_at = np.searchsorted(history_keys, rows[goes] * n_items + best_item[single])
        anchor_day[goes] = history.last_day[anchor_at]
        reason[similar[~single]] = POPULAR_WITH_SIMILAR
        undecided[similar] = False

    loved = decide(loved_brand, BRAND_YOU_LOVE)
    reason_value[loved] = brand[loved]
    liked_category = decide(category_affinity >= AFFINITY_FLOOR, CATEGORY_YOU_LIKE)
    reason_value[liked_category] = catalogue.category[items[liked_category]]
    sized = decide(size >= 0, IN_YOUR_SIZE)
    reason_value[sized] = size[sized]
    home = starters.home_stores(batch, context)
    cold = starters.is_cold(history.row, len(batch))
    liked = starters.liked_by_peers(batch, cold, rows, items, context)
    at_store, in_season = starters.parts(home[rows], items, context)
    favourite = (at_store >= starters.FAVOURITE_FLOOR) & (at_store >= in_season)
    # Figures of 1 stored in float32 may come back a hair under: equal within TIE counts as equal.
    strongest = (liked + TIE >= at_store) & (liked + TIE >= in_season)
    decide((liked >= starters.FAVOURITE_FLOOR) & strongest, LIKED_BY_PEERS)
    store_favourite = decide(favourite, POPULAR_AT_STORE)
    reason_value[store_favourite] = home[rows][store_favourite]
    decide(in_season >= starters.FAVOURITE_FLOOR, IN_SEASON)
    return Explained(
        reason=reason,
        anchor_item=anchor_item,
        anchor_day=anchor_day,
        reason_value=reason_value,
        times_bought=times_bought,
    )


def _strongest_anchor(
    rows: LongArray, items: IntArray, history: History, context: Context
) -> tuple[IntArray, FloatArray]:
    """Per (row, item): her purchase i with the largest share_i x sim(i, item), and that product."""
    starts = np.searchsorted(history.row, rows, side="left")
    counts = np.searchsorted(history.row, rows, side="right") - starts
    pair = np.repeat(np.arange(len(rows)), counts)
    offsets = np.arange(len(pair)) - np.repeat(np.cumsum(counts) - counts, counts)
    hers = starts[pair] + offsets
    similarity = context.model.similarity
    part = history.share[hers] * np.asarray(similarity[history.item[hers], items[pair]]).ravel()
    # The largest part per pair: sort by (pair, part desc), take each pair's first.
    order = order_rows_by_score(pair, part)
    first = np.r_[True, pair[order][1:] != pair[order][:-1]]
    best = order[first]
    best_item = np.full(len(rows), -1, dtype=np.int32)
    best_part = np.zeros(len(rows))
    best_item[pair[best]] = history.item[hers[best]]
    best_part[pair[best]] = part[best]
    return best_item, best_part
