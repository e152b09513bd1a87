"""People like her: what the clients who told us her likes buy, for a customer without history
(``suggestions.engine.peers``)."""

import numpy as np

from suggestions.engine import DISCOVER, LIKED_BY_PEERS, Catalogue, Config, Interactions, Preferences
from suggestions.engine.model import fit

# Brand 0 is the brand she and the "linen" clients say they like. They buy linen trousers (brand 1)
# and a linen shirt; everybody buys the chain's best seller, a tote. Two of them bought a candle.
TROUSERS, SHIRT, TOTE, CANDLE, PILLS = range(5)
N_ITEMS = 5
BRAND = [1, 1, 2, 3, 4]
CATEGORY = [0, 1, 2, 3, 9]
SENSITIVE = [False, False, False, False, True]
HER, FIRST_PEER, PEERS, OTHERS = 0, 1, 8, 40
LINEN = 0


def world() -> Interactions:
    customer, item = [], []
    for who in range(FIRST_PEER, FIRST_PEER + PEERS):
        customer += [who, who, who]
        item += [TROUSERS, SHIRT, PILLS]
    customer += [FIRST_PEER, FIRST_PEER + 1]
    item += [CANDLE, CANDLE]
    for who in range(FIRST_PEER + PEERS, FIRST_PEER + PEERS + OTHERS):
        customer.append(who)
        item.append(TOTE)
    return Interactions.build(
        customer=customer,
        item=item,
        day=[90.0] * len(customer),
        basket=list(range(len(customer))),
        n_items=N_ITEMS,
    )


def likes(*, kind: str, value: int, with_her: bool = True) -> Preferences:
    who = ([HER] if with_her else []) + list(range(FIRST_PEER, FIRST_PEER + PEERS))
    pairs = (np.asarray(who, dtype=np.int32), np.full(len(who), value, dtype=np.int32))
    return Preferences(liked_brands=pairs) if kind == "brand" else Preferences(liked_categories=pairs)


def discover(preferences: Preferences, told: Preferences | None = None) -> list[tuple[int, int]]:
    """Her Discover list as (item, reason); the fit learns from ``told`` (default: ``preferences``)."""
    history = world()
    catalogue = Catalogue.plain(N_ITEMS, brand=BRAND, category=CATEGORY, sensitive=SENSITIVE)
    config = Config(now=100.0, max_per_category=0)
    model = fit(history, catalogue, config, preferences if told is None else told)
    result = model.recommend(np.asarray([HER]), history, catalogue, preferences, config).of_list(DISCOVER)
    return [(int(i), int(r)) for i, r in zip(result.item, result.reason, strict=True)]


def test_a_newcomer_sees_first_what_the_clients_who_like_her_brand_buy_and_why() -> None:
    shown = discover(likes(kind="brand", value=LINEN))

    assert shown[:2] == [(TROUSERS, LIKED_BY_PEERS), (SHIRT, LIKED_BY_PEERS)]
    assert (TOTE, LIKED_BY_PEERS) not in shown  # the chain's best seller, not theirs in particular


def test_what_too_few_of_them_bought_is_not_called_their_favourite() -> None:
    shown = discover(likes(kind="brand", value=LINEN))

    assert all(reason != LIKED_BY_PEERS for item, reason in shown if item == CANDLE)


def test_a_sensitive_category_is_never_a_taste_and_nothing_sensitive_is_suggested() -> None:
    shown = discover(likes(kind="category", value=9))

    assert all(reason != LIKED_BY_PEERS for _, reason in shown)
    assert PILLS not in [item for item, _ in shown]


def test_without_likes_told_at_fit_she_gets_no_peer_reason() -> None:
    shown = discover(likes(kind="brand", value=LINEN), told=Preferences())

    assert all(reason != LIKED_BY_PEERS for _, reason in shown)
