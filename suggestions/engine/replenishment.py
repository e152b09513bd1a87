"""Which items are bought again, and how often: learnt from the data unless the retailer says.

Per item, from every customer's signal history (``learn``):

- **repeat share**: of the buyers who ordered again after first buying it, the share whose later
  orders held it again;
- **interval**: the typical days between two of one customer's orders holding it (the geometric mean
  of those gaps: a few very late reorders do not stretch it).

Both are shrunk towards the item's category, and a category's towards all items, with
``Config.replenish_shrink`` pseudo-buyers (pseudo-gaps for the interval): an item few people bought
behaves like its category until its own buyers say otherwise.

An item may be suggested again after she bought it (Buy again) when the retailer says so
(``Catalogue.replenishable`` where ``Catalogue.replenishable_known``), else when its learnt repeat
share reaches ``Config.replenish_min_share`` (``eligible``).
"""

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from suggestions.engine.history import Lines, Profile
from suggestions.engine.types import BoolArray, Catalogue, Config, FloatArray, IntArray

MIN_GAP_DAYS = 1.0
"""Two orders of hers on the same day are one shopping trip, not a cycle: gaps under a day are left out."""


@dataclass(frozen=True)
class Cycles:
    """Per item (length ``n_items``), learnt by ``learn``."""

    repeat_share: FloatArray
    """Shrunk share of her buyers who came back that bought it again (0..1)."""
    interval_days: FloatArray
    """Shrunk typical days between two purchases of it by one customer; nan when nothing in the data
    (the item, its category, all items) was ever bought twice by one customer."""
    buyers: IntArray
    """Buyers who ordered again after first buying it: the evidence behind ``repeat_share``."""


def learn(profile: Profile, lines: Lines, category: IntArray, config: Config) -> Cycles:
    """Repeat shares and intervals per item (see the module docstring)."""
    n_items = len(category)
    n_categories = int(category.max(initial=-1)) + 1
    item_category = np.maximum(category, 0)
    came_back = profile.orders[profile.customer] - 1 - profile.first_order > 0
    again = np.bincount(profile.item, weights=(profile.times >= 2) & came_back, minlength=n_items)
    buyers = np.bincount(profile.item, weights=came_back, minlength=n_items)
    share = _shrunk(again, buyers, item_category, n_categories, config.replenish_shrink)

    gap_item, log_gap = _gaps(lines, n_items)
    log_sum = np.bincount(gap_item, weights=log_gap, minlength=n_items)
    gaps = np.bincount(gap_item, minlength=n_items).astype(np.float64)
    if gaps.sum() == 0:
        interval = np.full(n_items, math.nan)
    else:
        interval = np.exp(_shrunk(log_sum, gaps, item_category, n_categories, config.replenish_shrink))
    return Cycles(repeat_share=share, interval_days=interval, buyers=buyers.astype(np.int32))


def eligible(cycles: Cycles, catalogue: Catalogue, config: Config) -> BoolArray:
    """Per item: may be suggested again after she bought it (the retailer's word, else the data's)."""
    learnt = cycles.repeat_share >= config.replenish_min_share
    if catalogue.replenishable_known is None:
        return catalogue.replenishable
    return np.where(catalogue.replenishable_known, catalogue.replenishable, learnt)


def with_eligibility(cycles: Cycles, catalogue: Catalogue, config: Config) -> Catalogue:
    """``catalogue`` with ``replenishable`` settled for every item (``eligible``)."""
    if catalogue.replenishable_known is None:
        return catalogue
    return dataclasses.replace(
        catalogue, replenishable=eligible(cycles, catalogue, config), replenishable_known=None
    )


def _shrunk(
    total: FloatArray, count: FloatArray, category: IntArray, n_categories: int, shrink: float
) -> FloatArray:
    """``total / count`` per item, pulled towards its category's, itself pulled towards the overall."""
    overall = total.sum() / count.sum() if count.sum() > 0 else 0.0
    category_total = np.bincount(category, weights=total, minlength=n_categories)
    category_count = np.bincount(category, weights=count, minlength=n_categories)
    category_mean = (category_total + shrink * overall) / (category_count + shrink)
    return (total + shrink * category_mean[category]) / (count + shrink)


def _gaps(lines: Lines, n_items: int) -> tuple[IntArray, FloatArray]:
    """Every gap of a day or more between two of one customer's orders holding the same item: the
    item, and the log of the gap in days."""
    key = lines.customer.astype(np.int64) * n_items + lines.item
    order = np.lexsort((lines.day, key))
    key, day = key[order], lines.day[order]
    same = key[1:] == key[:-1]
    gap = day[1:] - day[:-1]
    keep = same & (gap >= MIN_GAP_DAYS)
    return (key[1:][keep] % n_items).astype(np.int32), np.log(gap[keep])
