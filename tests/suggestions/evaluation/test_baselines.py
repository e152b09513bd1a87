"""The baselines on a history small enough to know their answers."""

import numpy as np
import pytest

from suggestions.engine import Interactions
from suggestions.evaluation import baselines
from suggestions.evaluation.baselines import ItemKnnParams, TopFrequencyParams
from suggestions.evaluation.baselines.item_neighbours import customer_values, similarity


def history() -> Interactions:
    # Item 0 is the best seller; customer 0 buys item 3 twice and item 4 once; 1 and 2 pair 1 with 2.
    rows = [
        (0, 0, 3),
        (0, 1, 3),
        (0, 1, 4),
        (1, 2, 1),
        (1, 2, 2),
        (2, 3, 1),
        (2, 3, 2),
        (1, 4, 0),
        (2, 5, 0),
        (3, 6, 0),
    ]
    return Interactions.build(
        customer=[row[0] for row in rows],
        basket=[row[1] for row in rows],
        item=[row[2] for row in rows],
        day=[float(row[1]) for row in rows],
        n_items=6,
    )


def test_popularity_ranks_items_by_orders_holding_them() -> None:
    top = baselines.popularity(history(), np.array([0, 3]), 3)
    assert top.tolist() == [[0, 1, 2], [0, 1, 2]]


def test_personal_top_frequency_puts_her_items_first_then_fills_with_popular_ones() -> None:
    lists = baselines.top_frequency(history(), np.array([0]), 4)
    assert lists.top.tolist() == [[3, 4, 0, 1]]
    assert lists.explore.tolist() == [[0, 1, 2, 5]]


def test_recency_decay_lets_a_recent_item_pass_a_frequent_old_one() -> None:
    # Item 1 in her first two orders, item 2 in her last one.
    interactions = Interactions.build(
        customer=[0, 0, 0], basket=[0, 1, 2], item=[1, 1, 2], day=[1.0, 2.0, 3.0], n_items=3
    )
    customers = np.array([0])

    plain = baselines.top_frequency(interactions, customers, 2, TopFrequencyParams(decay=1.0))
    decayed = baselines.top_frequency(interactions, customers, 2, TopFrequencyParams(decay=0.5))

    assert plain.top.tolist() == [[1, 2]]  # 2 orders against 1
    assert decayed.top.tolist() == [[2, 1]]  # 1 against 0.5 + 0.25


def test_popular_unbought_leaves_out_what_she_bought() -> None:
    top = baselines.popular_unbought(history(), np.array([1]), 2)
    assert top.tolist() == [[3, 4]]  # 0, 1 and 2 are hers; 3 is in two orders, 4 in one


@pytest.mark.parametrize("weighting", ["cosine", "tfidf", "bm25"])
def test_item_knn_suggests_what_is_bought_with_her_items(weighting: str) -> None:
    customers = np.array([3])
    # Customer 3 only bought item 0, which customers 1 and 2 bought along with 1 and 2.
    lists = baselines.item_knn(history(), customers, 3, ItemKnnParams(weighting=weighting))  # type: ignore[arg-type]

    assert lists.top[0, 0] == 0
    assert set(lists.top[0, 1:].tolist()) == {1, 2}
    assert 0 not in lists.explore[0]
    assert set(lists.explore[0, :2].tolist()) == {1, 2}


def test_shrinkage_weakens_similarities_seen_in_few_customers() -> None:
    matrix = customer_values(history(), "binary")
    plain = similarity(matrix, ItemKnnParams())
    shrunk = similarity(matrix, ItemKnnParams(shrink=2.0))

    # Items 1 and 2: two customers bought both, so the similarity keeps 2 / (2 + 2) of itself.
    assert shrunk[1, 2] == pytest.approx(plain[1, 2] * 0.5)
    assert shrunk[3, 4] == pytest.approx(plain[3, 4] * 1 / 3)


@pytest.mark.filterwarnings("ignore:Method expects CSR input")  # inside implicit's own fit
@pytest.mark.parametrize(
    ("weighting", "recommender"),
    [("cosine", "CosineRecommender"), ("tfidf", "TFIDFRecommender"), ("bm25", "BM25Recommender")],
)
def test_item_knn_weightings_are_implicits_own(weighting: str, recommender: str) -> None:
    nearest_neighbours = pytest.importorskip("implicit.nearest_neighbours", reason="implicit is a dev extra")
    rng = np.random.default_rng(3)
    rows = [(c, c * 10 + o, int(i)) for c in range(30) for o in range(3) for i in rng.integers(0, 12, 4)]
    interactions = Interactions.build(
        customer=[r[0] for r in rows],
        basket=[r[1] for r in rows],
        item=[r[2] for r in rows],
        day=[float(r[1]) for r in rows],
        n_items=12,
    )
    matrix = customer_values(interactions, "counts")
    theirs = getattr(nearest_neighbours, recommender)(K=12, num_threads=1)
    theirs.fit(matrix.astype(np.float32), show_progress=False)

    ours = similarity(matrix, ItemKnnParams(weighting=weighting, values="counts"))  # type: ignore[arg-type]

    np.testing.assert_allclose(ours, theirs.similarity.toarray(), rtol=1e-5, atol=1e-6)
