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
