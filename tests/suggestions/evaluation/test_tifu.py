"""TIFU-KNN on histories small enough to work out by hand: decay within and across groups of orders,
and the mix of her vector with her nearest customers'."""

import numpy as np
import pytest
import scipy.sparse as sp

from suggestions.engine import Interactions
from suggestions.evaluation.baselines import TifuParams, tifu_knn
from suggestions.evaluation.baselines.common import order_items, popular_items, rank_explore, rank_top
from suggestions.evaluation.baselines.tifu import mixed_tops, personal_vectors


def orders_of(*customers: list[list[int]], n_items: int = 8) -> Interactions:
    """Each customer's orders, oldest first, as lists of items (one day per order)."""
    rows = []
    basket = 0
    for customer, orders in enumerate(customers):
        for day, items in enumerate(orders):
            rows += [(customer, basket, item, float(day)) for item in items]
            basket += 1
    return Interactions.build(
        customer=[r[0] for r in rows],
        basket=[r[1] for r in rows],
        item=[r[2] for r in rows],
        day=[r[3] for r in rows],
        n_items=n_items,
    )


def vector(interactions: Interactions, params: TifuParams, customer: int = 0) -> list[float]:
    return personal_vectors(order_items(interactions), interactions, params).toarray()[customer].tolist()


def test_orders_decay_within_their_group_and_groups_decay_across() -> None:
    # Four orders, items 0..3, in two groups of two: [0, 1] and [2, 3].
    history = orders_of([[0], [1], [2], [3]])
    within, across = 0.5, 0.25

    from_last = vector(history, TifuParams(groups=2, within_decay=within, group_decay=across))
    from_group_end = vector(
        history, TifuParams(groups=2, within_decay=within, group_decay=across, decay_from="group end")
    )

    # weight = r_b ** distance / orders in the group * r_g ** (groups after it) / groups
    assert from_last[:4] == pytest.approx(
        [within**3 / 2 * across / 2, within**2 / 2 * across / 2, within / 4, 1 / 4]
    )
    assert from_group_end[:4] == pytest.approx(
        [within / 2 * across / 2, 1 / 2 * across / 2, within / 4, 1 / 4]
    )


def test_an_item_in_several_orders_adds_up_and_later_groups_take_the_extra_order() -> None:
    # Five orders in two groups: the authors' split puts two in the first and three in the second.
    history = orders_of([[0, 7], [1, 7], [2, 7], [3, 7], [4, 7]])

    weights = vector(history, TifuParams(groups=2, within_decay=1.0, group_decay=1.0))

    assert weights[:5] == pytest.approx([1 / 4, 1 / 4, 1 / 6, 1 / 6, 1 / 6])
    assert weights[7] == pytest.approx(1.0)


def test_with_fewer_orders_than_groups_each_order_is_a_group_decayed_as_in_the_authors_code() -> None:
    history = orders_of([[0], [1]])

    weights = vector(history, TifuParams(groups=3, within_decay=1.0, group_decay=0.5))

    # Groups 0 and 1 of 3: r_g ** (3 - 1 - group), over the 2 groups she has.
    assert weights[:2] == pytest.approx([0.25 / 2, 0.5 / 2])


def neighbourhood() -> Interactions:
    # 0 buys item 0; 1 buys 0 with 1; 2 buys 0 with 2; 3 and 4 are far (items 3, and 2 alone).
    return orders_of(
        [[0], [0]],
        [[0, 1], [0, 1]],
        [[0, 2], [0, 2]],
        [[3], [3], [3]],
        [[2]],
    )


def test_her_scores_mix_her_vector_with_her_nearest_customers_mean() -> None:
    # m = 1 and no decay: her vector is the share of her orders holding each item.
    params = TifuParams(neighbours=2, groups=1, within_decay=1.0, group_decay=1.0, alpha=0.5)

    lists = tifu_knn(neighbourhood(), np.array([0]), 4, params)

    # Neighbours 1 and 2 (distance 1; 3 and 4 are at sqrt 2): mean [1, .5, .5, 0]; mixed [1, .25, .25, 0].
    # Items 1 and 2 tie: 2, in more orders, first; then the fill by popularity (0 is hers already).
    assert lists.top.tolist() == [[0, 2, 1, 3]]
    assert lists.explore.tolist() == [[2, 1, 3, 4]]


def test_alpha_one_is_her_own_history_and_k_one_her_single_nearest_customer() -> None:
    own = TifuParams(neighbours=2, groups=1, within_decay=1.0, group_decay=1.0, alpha=1.0)
    nearest = TifuParams(neighbours=1, groups=1, within_decay=1.0, group_decay=1.0, alpha=0.5)

    assert tifu_knn(neighbourhood(), np.array([0]), 2, own).top.tolist() == [[0, 2]]  # 2: popular fill
    # Customers 1 and 2 tie for nearest; the lower index wins: her neighbour bought item 1.
    assert tifu_knn(neighbourhood(), np.array([0]), 2, nearest).top.tolist() == [[0, 1]]


def test_she_is_never_her_own_neighbour() -> None:
    params = TifuParams(neighbours=1, groups=1, within_decay=1.0, group_decay=1.0, alpha=0.0)

    # Customer 3's nearest other customer is 0 or 4 (both at sqrt 2), never herself: item 3 only
    # reaches her list as a popular fill, after what her neighbour bought.
    top = tifu_knn(neighbourhood(), np.array([3]), 1, params).top
    assert top.tolist() == [[0]]


def test_the_fast_mix_over_her_items_and_her_new_list_ranks_as_the_whole_catalogue_would() -> None:
    rng = np.random.default_rng(7)
    n, items = 40, 30
    hers = sp.random(n, items, density=0.15, random_state=1, format="csr")
    hers.data = np.round(hers.data, 1) + 0.1  # ties, as counts have
    mean = np.round(rng.random((n, items)) * (rng.random((n, items)) < 0.5), 1)
    ranking = rng.permutation(items).astype(np.int32)
    bought = hers.toarray() > 0
    filler = np.array([[item for item in ranking if not bought[row, item]][:10] for row in range(n)])
    explore = rank_explore(mean, hers, 10, ranking, filler)
    alphas = (0.0, 0.3, 0.5, 0.9, 1.0)

    fast = mixed_tops(hers, mean, explore, alphas, 10, ranking)

    for alpha, top in zip(alphas, fast, strict=True):
        np.testing.assert_array_equal(top, rank_top(alpha * hers.toarray() + (1 - alpha) * mean, 10, ranking))
    assert popular_items(neighbourhood())[0] == 0
