"""Recall, NDCG, the repeat/new split and coverage on examples worked out by hand."""

import math

import numpy as np
import pytest
import scipy.sparse as sp

from suggestions.evaluation.metrics import coverage, score_lists


def rows_of(*sets: set[int], n_items: int = 10) -> sp.csr_matrix:
    matrix = np.zeros((len(sets), n_items), dtype=np.float32)
    for row, items in enumerate(sets):
        matrix[row, list(items)] = 1.0
    return sp.csr_matrix(matrix)


def test_recall_and_ndcg_of_one_list() -> None:
    top = np.array([[1, 9, 2]])
    scores = score_lists(top, rows_of({1, 2, 3}), rows_of(set()))

    assert scores.recall == pytest.approx(2 / 3)
    dcg = 1 / math.log2(2) + 1 / math.log2(4)
    ideal = 1 / math.log2(2) + 1 / math.log2(3) + 1 / math.log2(4)
    assert scores.ndcg == pytest.approx(dcg / ideal)


def test_the_ideal_dcg_counts_at_most_k_hits() -> None:
    top = np.array([[1, 2]])
    scores = score_lists(top, rows_of({1, 2, 3, 4}), rows_of(set()))
    assert scores.recall == pytest.approx(0.5)
    assert scores.ndcg == pytest.approx(1.0)


def test_repeat_and_new_recall_split_by_what_she_bought_before() -> None:
    top = np.array([[1, 2, 7]])
    scores = score_lists(top, truth=rows_of({1, 2, 3}), seen=rows_of({1, 5}))

    assert scores.repeat_recall == pytest.approx(1.0)  # item 1 of {1}
    assert scores.new_recall == pytest.approx(0.5)  # item 2 of {2, 3}


def test_customers_without_repeat_items_do_not_count_in_repeat_recall() -> None:
    top = np.array([[1, -1], [4, 5]])
    scores = score_lists(top, truth=rows_of({1}, {4, 6}), seen=rows_of({1}, set()))

    assert scores.repeat_recall == pytest.approx(1.0)  # only the first customer has a repeat item
    assert scores.new_recall == pytest.approx(0.5)  # only the second has new items: 4 of {4, 6}
    assert scores.recall == pytest.approx((1.0 + 0.5) / 2)
    assert scores.customers == 2


def test_a_measure_nobody_has_a_case_for_is_nan() -> None:
    scores = score_lists(np.array([[1]]), truth=rows_of({1}), seen=rows_of({1}))
    assert math.isnan(scores.new_recall)


def test_rows_restrict_the_customers_averaged() -> None:
    top = np.array([[1], [9]])
    truth = rows_of({1}, {2})
    assert score_lists(top, truth, rows_of(set(), set()), rows=np.array([True, False])).recall == 1.0
    assert score_lists(top, truth, rows_of(set(), set()), rows=np.array([False, True])).recall == 0.0


def test_padding_never_counts_as_a_hit() -> None:
    scores = score_lists(np.array([[-1, -1]]), rows_of({0}), rows_of(set()))
    assert scores.recall == 0.0


def test_coverage_is_the_share_of_the_catalogue_shown_to_anyone() -> None:
    assert coverage(np.array([[1, 2, -1], [2, 3, 1]]), n_items=10) == pytest.approx(0.3)
