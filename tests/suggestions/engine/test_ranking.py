"""The selection helpers agree with the obvious slow answer (hypothesis)."""

import numpy as np
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from suggestions.engine.ranking import keep_top_k_per_row, order_rows_by_score, top_n_per_row
from suggestions.engine.rules import pick


def distinct_matrix(draw: st.DrawFn, n_rows: int, n_cols: int, density: float) -> np.ndarray:
    """A matrix with distinct positive values, zeros elsewhere."""
    values = draw(
        hnp.arrays(np.float32, n_rows * n_cols, elements=st.floats(0.5, 100.0, width=32), unique=True)
    )
    present = draw(hnp.arrays(np.bool_, n_rows * n_cols, elements=st.booleans()))
    present |= density > 0.9
    return np.where(present, values, 0.0).reshape(n_rows, n_cols)


@settings(max_examples=100, deadline=None)
@given(st.data(), st.integers(1, 5), st.integers(1, 80), st.integers(1, 4), st.sampled_from([0.5, 1.0]))
def test_keep_top_k_per_row_keeps_exactly_the_k_largest_sparse_or_dense(
    data: st.DataObject, n_rows: int, n_cols: int, k: int, density: float
) -> None:
    dense = distinct_matrix(data.draw, n_rows, n_cols, density)
    kept = keep_top_k_per_row(sp.csr_matrix(dense.astype(np.float32)), k).toarray()
    for row in range(n_rows):
        nonzero = np.flatnonzero(dense[row])
        expected = set(nonzero[np.argsort(-dense[row, nonzero])][:k].tolist())
        assert set(np.flatnonzero(kept[row]).tolist()) == expected


@settings(max_examples=100, deadline=None)
@given(hnp.arrays(np.int64, st.integers(0, 40), elements=st.integers(0, 5)), st.integers(1, 5), st.data())
def test_top_n_per_row_keeps_each_rows_n_best(rows: np.ndarray, n: int, data: st.DataObject) -> None:
    rows = np.sort(rows)
    values = data.draw(hnp.arrays(np.float32, len(rows), elements=st.floats(-5, 5, width=32), unique=True))
    kept = top_n_per_row(rows, values, n)
    for row in np.unique(rows):
        mine = np.flatnonzero(rows == row)
        best = set(mine[np.argsort(-values[mine])][:n].tolist())
        assert set(kept[rows[kept] == row].tolist()) == best


@settings(max_examples=100, deadline=None)
@given(
    hnp.arrays(np.int64, st.integers(0, 40), elements=st.integers(0, 4)),
    st.integers(1, 6),
    st.integers(0, 3),
    st.data(),
)
def test_pick_takes_the_best_k_with_at_most_the_cap_per_category(
    rows: np.ndarray, k: int, cap: int, data: st.DataObject
) -> None:
    scores = data.draw(hnp.arrays(np.float32, len(rows), elements=st.floats(0, 10, width=32), unique=True))
    categories = data.draw(hnp.arrays(np.int32, len(rows), elements=st.integers(0, 2)))
    chosen, ranks = pick(
        rows, order_rows_by_score(rows, scores), categories, k=k, max_per_category=cap, depth=100
    )
    for row in np.unique(rows):
        expected, taken = [], {0: 0, 1: 0, 2: 0}
        for position in np.flatnonzero(rows == row)[np.argsort(-scores[rows == row])]:
            if len(expected) < k and (cap == 0 or taken[int(categories[position])] < cap):
                expected.append(int(position))
                taken[int(categories[position])] += 1
        mine = rows[chosen] == row
        assert chosen[mine].tolist() == expected
        assert ranks[mine].tolist() == list(range(1, len(expected) + 1))
