"""What the population teaches: popularity, how often each item is bought again, what goes together.

Item-to-item similarity blends two co-purchase statistics, each decayed by age (``half_life_days``):
the same order ("goes with") and the same customer ("customers who buy X buy Y"). Each is
corrected for popularity (``item_similarity``), so best sellers do not become everyone's neighbour,
and only the ``neighbours`` strongest of each item are kept.
"""

import math

import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped]

from suggestions.engine.history import Lines, Profile
from suggestions.engine.parallel import in_threads
from suggestions.engine.ranking import keep_top_k_per_row
from suggestions.engine.types import Config, FloatArray

OLDEST_HALF_LIVES = 6
ITEM_BLOCK = 2048
"""Items whose similarity rows are computed at once (memory: block x n_items at worst)."""


def popularity(lines: Lines, n_items: int, *, now: float, half_life_days: float) -> FloatArray:
    """Orders holding each item, each weighted by its age (``half_life_days``), best seller = 1."""
    counts = np.bincount(lines.item, weights=_age_decay(lines, now, half_life_days), minlength=n_items)
    top = counts.max(initial=0.0)
    return counts / top if top > 0 else counts


def _age_decay(lines: Lines, now: float, half_life_days: float) -> FloatArray:
    if not half_life_days > 0 or math.isinf(half_life_days):
        return np.ones(len(lines.day))
    return np.power(0.5, np.maximum(now - lines.day, 0.0) / half_life_days)


def repeat_rates(profile: Profile, n_items: int, *, prior: float = 5.0) -> FloatArray:
    """Per item: of the orders a buyer placed after first buying it, the share that held it again.

    Smoothed towards the rate over all items with ``prior`` pseudo-orders.
    """
    again = np.bincount(profile.item, weights=profile.times - 1.0, minlength=n_items)
    chances = np.bincount(
        profile.item, weights=profile.orders[profile.customer] - 1.0 - profile.first_order, minlength=n_items
    )
    overall = again.sum() / chances.sum() if chances.sum() > 0 else 0.0
    return (again + prior * overall) / (chances + prior)


def item_similarity(
    lines: Lines, n_customers: int, n_items: int, config: Config, now: float
) -> sp.csr_matrix:
    """items x items, row i: the items most bought with i (float32 CSR, top ``neighbours`` per row).

    ``sim(i, j) = Σ_level w co(i, j) / ((n_i + shrink) ** alpha * (n_j + shrink) ** (1 - alpha))`` over
    the two levels (the same order, weight ``basket_weight``; the same customer, the rest), where co
    counts decayed co-purchases and n an item's decayed purchases at that level. The correction is a
    product of per-item factors, so both levels go through one sparse product of stacked matrices.
    """
    decay = _age_decay(lines, now, config.half_life_days).astype(np.float32)
    # Purchases older than OLDEST_HALF_LIVES half-lives weigh under 2% of today's: leave them out.
    recent = decay >= np.float32(0.5**OLDEST_HALF_LIVES)
    if not recent.all():
        lines = _subset(lines, recent)
        decay = decay[recent]
    levels = []
    if config.basket_weight > 0:
        _, basket_row = np.unique(lines.basket, return_inverse=True)
        orders = sp.csr_matrix(
            (decay, (basket_row, lines.item)), shape=(int(basket_row.max(initial=-1)) + 1, n_items)
        )
        orders.sum_duplicates()
        levels.append((config.basket_weight, orders))
    if config.basket_weight < 1:
        # One entry per (customer, item): her most recent purchase of it.
        levels.append((1.0 - config.basket_weight, _row_max(lines, decay, n_customers, n_items)))
    lefts, rights = [], []
    for weight, rows in levels:
        bought = np.asarray(rows.sum(axis=0)).ravel() + config.similarity_shrink
        bought[bought <= 0] = 1.0
        left_scale = math.sqrt(weight) * bought**-config.similarity_alpha
        right_scale = math.sqrt(weight) * bought ** (config.similarity_alpha - 1.0)
        left, right = rows.copy(), rows.copy()
        left.data = (left.data * left_scale[left.indices]).astype(np.float32)
        right.data = (right.data * right_scale[right.indices]).astype(np.float32)
        lefts.append(left)
        rights.append(right)
    by_item = sp.vstack(lefts, format="csr").T.tocsr()
    stacked = sp.vstack(rights, format="csr")
    neighbours = config.neighbours

    def neighbours_of(start: int) -> sp.csr_matrix:
        block = by_item[start : start + ITEM_BLOCK] @ stacked  # CSR without duplicates
        block_rows = start + np.repeat(np.arange(block.shape[0]), np.diff(block.indptr))
        block.data[block_rows == block.indices] = 0.0  # an item is not its own neighbour
        block.eliminate_zeros()
        return keep_top_k_per_row(block, neighbours, canonical=False)

    blocks = in_threads(neighbours_of, list(range(0, n_items, ITEM_BLOCK)), config.workers)
    if not blocks:
        return sp.csr_matrix((n_items, n_items), dtype=np.float32)
    return sp.vstack(blocks, format="csr").astype(np.float32)


def _subset(lines: Lines, keep: np.ndarray) -> Lines:
    return Lines(
        customer=lines.customer[keep],
        item=lines.item[keep],
        day=lines.day[keep],
        basket=lines.basket[keep],
        recency=lines.recency[keep],
        orders=lines.orders,
    )


def _row_max(lines: Lines, decay: np.ndarray, n_customers: int, n_items: int) -> sp.csr_matrix:
    key = lines.customer.astype(np.int64) * n_items + lines.item
    keys, inverse = np.unique(key, return_inverse=True)
    best = np.zeros(len(keys), dtype=np.float32)
    np.maximum.at(best, inverse, decay)
    return sp.csr_matrix(
        (best, ((keys // n_items).astype(np.int64), (keys % n_items).astype(np.int64))),
        shape=(n_customers, n_items),
    )
