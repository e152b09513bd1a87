"""Personal top-frequency with recency decay: her items by how many of her orders hold them, each
order counting ``decay`` times as much as the next one of hers (1: plain counts); ties go to the more
popular item, and popular items fill the rest. Its list of items she has not bought is popularity's.
"""

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped]

from suggestions.engine import Interactions
from suggestions.engine.types import IntArray
from suggestions.evaluation.baselines.common import (
    Lists,
    OrderItems,
    customer_item_matrix,
    order_items,
    popular_items,
    popular_unbought,
    rank_top,
)
from suggestions.evaluation.tuning import Search, Tuned, TuneSet

DECAYS = (1.0, 0.95, 0.9, 0.85, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1)


@dataclass(frozen=True)
class TopFrequencyParams:
    decay: float = 1.0

    def describe(self) -> str:
        return f"decay {self.decay:g} per order"


def decayed_counts(pairs: OrderItems, train: Interactions, decay: float) -> sp.csr_matrix:
    """customers x items: her orders holding the item, the latest counting 1, the one before ``decay``."""
    weights = np.power(decay, (pairs.orders - 1 - pairs.position).astype(np.float64))
    return customer_item_matrix(pairs, weights, train)


def top_frequency(
    train: Interactions, customers: IntArray, k: int, params: TopFrequencyParams = TopFrequencyParams()
) -> Lists:
    counts = decayed_counts(order_items(train), train, params.decay)
    top = rank_top(counts[customers], k, popular_items(train))
    return Lists(top=top, explore=popular_unbought(train, customers, k))


def search(tune: TuneSet, k: int) -> Tuned[TopFrequencyParams]:
    """Every decay; the list of items she has not bought is popularity's whatever the decay."""
    found = Search(TopFrequencyParams(), space=f"decay in {list(DECAYS)}")
    pairs, ranking = order_items(tune.train), popular_items(tune.train)
    explore = popular_unbought(tune.train, tune.customers, k)
    for decay in DECAYS:
        params = TopFrequencyParams(decay)
        top = rank_top(decayed_counts(pairs, tune.train, decay)[tune.customers], k, ranking)
        found.offer(params, tune, top=top, explore=explore if decay == DECAYS[0] else None)
    return found.result()
