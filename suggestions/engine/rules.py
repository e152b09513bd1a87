"""The rules that always hold, and picking ranked lists under the per-category cap.

Hard filters (an item failing one is never suggested to her): sensitive, not suggestable, a brand,
category or colour she dislikes, dismissed by her less than ``dismiss_days`` ago. The recency rule
("nothing she bought recently unless replenishable") is structural: Discover only holds items she
has not bought and Buy again only replenishable ones; ``recent_days`` is still checked here so the
guarantee does not rest on that structure alone.
"""

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from suggestions.engine.ranking import ranges
from suggestions.engine.types import (
    BoolArray,
    Catalogue,
    Config,
    FloatArray,
    IntArray,
    LongArray,
    Preferences,
)

_VALUE_SPAN = np.int64(1) << 32


def _keys(customers: npt.NDArray[np.integer], values: npt.NDArray[np.integer]) -> LongArray:
    return customers.astype(np.int64) * _VALUE_SPAN + (values.astype(np.int64) + 1)


@dataclass(frozen=True)
class SortedPairs:
    """``(customer, value)`` pairs sorted by customer, to find a batch's rows without a scan."""

    customer: LongArray
    value: LongArray

    @classmethod
    def of(cls, pairs: tuple[npt.ArrayLike, npt.ArrayLike]) -> "SortedPairs":
        customers = np.asarray(pairs[0], dtype=np.int64)
        values = np.asarray(pairs[1], dtype=np.int64)
        if len(customers) != len(values):
            raise ValueError("A preference pair has customer and value arrays of different lengths.")
        order = np.argsort(customers, kind="stable")
        return cls(customer=customers[order], value=values[order])

    def __len__(self) -> int:
        return len(self.customer)

    def spans(self, customers: npt.NDArray[np.integer]) -> tuple[LongArray, LongArray]:
        """Per customer asked: where her pairs start, and how many she has."""
        start = np.searchsorted(self.customer, customers, side="left")
        return start, np.searchsorted(self.customer, customers, side="right") - start

    def of_rows(self, customers: npt.NDArray[np.integer]) -> tuple[LongArray, LongArray]:
        """Every pair of the customers asked, as (position among ``customers``, value)."""
        start, count = self.spans(customers)
        rows = np.repeat(np.arange(len(customers), dtype=np.int64), count)
        return rows, self.value[np.repeat(start, count) + ranges(count)]


@dataclass(frozen=True)
class PreferenceIndex:
    """Sorted keys of her stated preferences, for vectorised look-ups."""

    disliked_brand: LongArray
    disliked_category: LongArray
    disliked_colour: LongArray
    dismissed: LongArray
    liked_brand: LongArray
    liked_category: LongArray
    liked_colour: LongArray
    liked_brand_pairs: SortedPairs
    liked_category_pairs: SortedPairs
    store: SortedPairs
    sizes: SortedPairs

    @classmethod
    def build(cls, preferences: Preferences, *, now: float, dismiss_days: float) -> "PreferenceIndex":
        def keys(pairs: tuple[IntArray, IntArray]) -> LongArray:
            customers, values = (np.asarray(part, dtype=np.int64) for part in pairs)
            if len(customers) != len(values):
                raise ValueError("A preference pair has customer and value arrays of different lengths.")
            return np.unique(_keys(customers, values))

        who = np.asarray(preferences.dismissed[0], dtype=np.int64)
        what = np.asarray(preferences.dismissed[1], dtype=np.int64)
        when = np.asarray(preferences.dismissed[2], dtype=np.float64)
        if not len(who) == len(what) == len(when):
            raise ValueError("Preferences.dismissed has arrays of different lengths.")
        # Still hidden: dismissed less than dismiss_days ago (a future date counts as today).
        active = (now - when.astype(np.float64)) < dismiss_days
        return cls(
            disliked_brand=keys(preferences.disliked_brands),
            disliked_category=keys(preferences.disliked_categories),
            disliked_colour=keys(preferences.disliked_colours),
            dismissed=np.unique(_keys(who[active], what[active])),
            liked_brand=keys(preferences.liked_brands),
            liked_category=keys(preferences.liked_categories),
            liked_colour=keys(preferences.liked_colours),
            liked_brand_pairs=SortedPairs.of(preferences.liked_brands),
            liked_category_pairs=SortedPairs.of(preferences.liked_categories),
            store=SortedPairs.of(preferences.store),
            sizes=SortedPairs.of(preferences.sizes),
        )

    def permits(self, customers: IntArray, items: IntArray, catalogue: Catalogue) -> BoolArray:
        """Per (customer, item): not of a brand, category or colour she dislikes, not dismissed."""
        ok = np.ones(len(items), dtype=bool)
        for keys, values in (
            (self.disliked_brand, catalogue.brand),
            (self.disliked_category, catalogue.category),
            (self.disliked_colour, catalogue.colour),
        ):
            if len(keys):
                ok &= ~contains(keys, customers, values[items])
        if len(self.dismissed):
            ok &= ~contains(self.dismissed, customers, items)
        return ok


def contains(sorted_keys: LongArray, customers: IntArray, values: IntArray) -> BoolArray:
    """Per position: is (customer, value) among ``sorted_keys``."""
    if len(sorted_keys) == 0:
        return np.zeros(len(customers), dtype=bool)
    query = _keys(customers, values)
    at = np.minimum(np.searchsorted(sorted_keys, query), len(sorted_keys) - 1)
    return sorted_keys[at] == query


def allowed(
    customers: IntArray,
    items: IntArray,
    *,
    catalogue: Catalogue,
    index: PreferenceIndex,
    last_bought: FloatArray,
    now: float,
    config: Config,
) -> BoolArray:
    """Per candidate (customer, item): passes every hard rule. ``last_bought`` is nan if never."""
    ok = ~catalogue.sensitive[items] & catalogue.suggestable[items]
    ok &= index.permits(customers, items, catalogue)
    bought_recently = (now - last_bought) < config.recent_days  # nan (never bought) compares False
    ok &= ~(bought_recently & ~catalogue.replenishable[items])
    return ok


def pick(
    rows: LongArray,
    order: LongArray,
    categories: IntArray,
    *,
    k: int,
    max_per_category: int,
    depth: int,
) -> tuple[LongArray, IntArray]:
    """The best ``k`` candidates of each row with at most ``max_per_category`` per category.

    ``order`` lists candidate positions by row, then best first (``ranking.order_rows_by_score``).
    Only each row's first ``depth`` candidates are considered. Returns the chosen positions (by row,
    best first) and their 1-based ranks.
    """
    if len(order) == 0 or k <= 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int32)
    order = order[_rank_in_row(rows[order]) < max(depth, k)]
    if max_per_category > 0:
        # Rank within (row, category), in score order: a stable sort keeps the score order inside.
        group_keys = (rows[order].astype(np.int64) << 32) | (categories[order].astype(np.int64) + 1)
        by_group = np.argsort(group_keys, kind="stable")
        within = np.empty(len(order), dtype=np.int64)
        within[by_group] = _rank_in_row(group_keys[by_group])
        order = order[within < max_per_category]
    rank = _rank_in_row(rows[order])
    keep = rank < k
    return order[keep], (rank[keep] + 1).astype(np.int32)


def _rank_in_row(sorted_rows: npt.NDArray[np.integer]) -> LongArray:
    """0, 1, 2… restarting wherever the (sorted) row value changes."""
    if len(sorted_rows) == 0:
        return np.empty(0, dtype=np.int64)
    starts = np.r_[True, sorted_rows[1:] != sorted_rows[:-1]]
    start_at = np.maximum.accumulate(np.where(starts, np.arange(len(starts)), 0))
    return np.arange(len(sorted_rows)) - start_at
