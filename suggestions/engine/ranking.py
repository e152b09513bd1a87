"""Small ranking helpers shared by the engine and the evaluation's baselines."""

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp  # type: ignore[import-untyped]

from suggestions.engine.types import IntArray, LongArray

DENSE_SHARE = 0.1
"""Above this share of stored entries, pruning a block of rows goes through a dense array."""


def descending_keys(rows: npt.NDArray[np.integer], scores: npt.NDArray[np.floating]) -> LongArray:
    """int64 keys that sort by row ascending, then score descending (scores compared as float32)."""
    bits = np.ascontiguousarray(scores, dtype=np.float32).view(np.int32).astype(np.int64)
    monotonic = np.where(bits < 0, bits ^ 0x7FFFFFFF, bits)  # IEEE order as signed integers
    return (rows.astype(np.int64) << 32) | (np.int64(0x7FFFFFFF) - monotonic)


def order_rows_by_score(rows: npt.NDArray[np.integer], scores: npt.NDArray[np.floating]) -> LongArray:
    """Positions sorted by row, then score descending; equal scores keep their input order."""
    return np.argsort(descending_keys(rows, scores), kind="stable")


def keep_top_k_per_row(matrix: sp.csr_matrix, k: int, *, canonical: bool = True) -> sp.csr_matrix:
    """The same CSR matrix with only the ``k`` largest entries of each row.

    ``canonical=False`` trusts the matrix to hold no duplicate entries (a product of two CSR
    matrices does not) and skips sorting its indices; ties are then broken by storage order.
    """
    matrix = matrix.tocsr()
    if canonical:
        matrix.sum_duplicates()
    counts = np.diff(matrix.indptr)
    if counts.max(initial=0) <= k:
        return matrix
    n_rows, n_cols = matrix.shape
    if matrix.nnz > DENSE_SHARE * n_rows * n_cols:
        return _keep_top_k_dense(matrix, k)
    row = np.repeat(np.arange(n_rows), counts)
    order = order_rows_by_score(row, matrix.data)
    position = np.arange(len(order)) - np.repeat(matrix.indptr[:-1], counts)
    keep = order[position < k]
    keep.sort()
    return sp.csr_matrix(
        (matrix.data[keep], matrix.indices[keep], np.r_[0, np.cumsum(np.minimum(counts, k))]),
        shape=matrix.shape,
    )


def _keep_top_k_dense(matrix: sp.csr_matrix, k: int) -> sp.csr_matrix:
    """``keep_top_k_per_row`` for a nearly dense matrix.

    The k-th largest value of every ``stride``-th column is a lower bound of the row's k-th largest,
    so only entries above it (about ``k * stride`` a row) need the exact selection.
    """
    n_rows, n_cols = matrix.shape
    if matrix.data.min(initial=1.0) > 0:
        dense = matrix.toarray()  # every stored value is positive: a 0 is an absent entry
        absent = np.float32(0.0)
    else:
        dense = np.full(matrix.shape, -np.inf, dtype=np.float32)
        dense[np.repeat(np.arange(n_rows), np.diff(matrix.indptr)), matrix.indices] = matrix.data
        absent = np.float32(-np.inf)
    stride = max(1, min(8, n_cols // (4 * k)))
    sample = dense[:, ::stride]
    if sample.shape[1] > k:
        bound = np.partition(sample, sample.shape[1] - k, axis=1)[:, sample.shape[1] - k]
    else:
        bound = np.full(n_rows, absent, dtype=np.float32)
    rows, cols = np.nonzero((dense >= bound[:, None]) & (dense > absent))
    values = dense[rows, cols]
    keep = top_n_per_row(rows, values, k)
    return sp.csr_matrix((values[keep], (rows[keep], cols[keep])), shape=matrix.shape, dtype=matrix.dtype)


def top_n_per_row(
    sorted_rows: npt.NDArray[np.integer], values: npt.NDArray[np.floating], n: int
) -> LongArray:
    """Positions of the ``n`` largest values of each row (``sorted_rows`` grouped ascending), sorted."""
    total = len(sorted_rows)
    if total == 0:
        return np.empty(0, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, sorted_rows[1:] != sorted_rows[:-1]])
    return top_n_in_rows(np.r_[starts, total], values, n)


def top_n_in_rows(indptr: npt.NDArray[np.integer], values: npt.NDArray[np.floating], n: int) -> LongArray:
    """Positions of the ``n`` largest values in each segment ``indptr[r]:indptr[r + 1]``, sorted.

    Values are compared as float32. Segments of at most ``n`` entries keep them all. For longer ones
    the n-th largest value (the cut) is found by partitioning: segments are padded into blocks of
    rows as wide as the next power of two of their length, so a few long segments do not widen the
    block of all the others (the padding is at most the entries themselves). Everything above the
    cut is kept, and of the values equal to it, the first positions.
    """
    total = int(indptr[-1]) if len(indptr) else 0
    counts = np.diff(indptr)
    long = counts > n
    if not long.any():
        return np.arange(total, dtype=np.int64)
    starts, lengths = indptr[:-1][long].astype(np.int64), counts[long].astype(np.int64)
    positions = _segment_positions(starts, lengths)
    segment = np.repeat(np.arange(len(starts)), lengths)
    scores = values[positions].astype(np.float32)
    cut = np.empty(len(starts), dtype=np.float32)
    widths = np.left_shift(1, np.ceil(np.log2(lengths)).astype(np.int64))
    for width in np.unique(widths).tolist():
        mine = np.flatnonzero(widths == width)
        first, many = starts[mine], lengths[mine]
        block = np.full((len(mine), width), -np.inf, dtype=np.float32)
        at = _segment_positions(first, many)
        block[np.repeat(np.arange(len(mine)), many), at - np.repeat(first, many)] = values[at]
        cut[mine] = np.partition(block, width - n, axis=1)[:, width - n]
    above = scores > cut[segment]
    equal = scores == cut[segment]
    room = n - np.bincount(segment, weights=above, minlength=len(starts)).astype(np.int64)
    equal_before = np.cumsum(equal) - equal
    rank_among_equal = equal_before - equal_before[np.cumsum(lengths) - lengths][segment]
    keep = np.ones(total, dtype=bool)
    keep[positions] = above | (equal & (rank_among_equal < room[segment]))
    return np.flatnonzero(keep)


def _segment_positions(starts: LongArray, counts: npt.NDArray[np.integer]) -> LongArray:
    return np.arange(int(counts.sum()), dtype=np.int64) + np.repeat(
        starts - (np.cumsum(counts) - counts), counts
    )


def fill_from(top: IntArray, fallback: IntArray) -> IntArray:
    """Pad each row's -1 slots with the first items of ``fallback`` not already in the row."""
    out = top.copy()
    k = top.shape[1]
    for row in np.flatnonzero((out < 0).any(axis=1)):
        present = out[row][out[row] >= 0]
        extra = fallback[~np.isin(fallback, present)][: k - len(present)]
        out[row] = -1
        out[row, : len(present)] = present
        out[row, len(present) : len(present) + len(extra)] = extra
    return out


def best_per_group(
    groups: npt.NDArray[np.integer],
    scores: npt.NDArray[np.floating],
    eligible: LongArray,
    *,
    size: int,
    n_groups: int,
) -> sp.csr_matrix:
    """groups x items: each group's ``size`` best ``eligible`` items by ``scores`` (ties: lower item),
    1.0 where kept. ``groups`` and ``scores`` are per item; ``eligible`` are item indices."""
    group = groups[eligible]
    order = np.lexsort((eligible, -scores[eligible], group))
    group, items = group[order], eligible[order]
    position = np.arange(len(items)) - np.searchsorted(group, group)
    keep = position < size
    return sp.csr_matrix(
        (np.ones(int(keep.sum())), (group[keep], items[keep])), shape=(n_groups, len(groups))
    )


def ranges(counts: npt.NDArray[np.integer]) -> LongArray:
    """0..counts[0]-1, 0..counts[1]-1, … concatenated."""
    total = int(counts.sum())
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    return np.arange(total, dtype=np.int64) - starts
