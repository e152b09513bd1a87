"""What apps above suggestions tell them of a customer's taste: products she showed she likes
elsewhere (an item of a look she liked, her wishlist). Each such app registers a source at start-up,
so the refresh reads them without importing the apps that keep them."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class TasteSource:
    """``liked_brands(customer_ids)``: her (customer id, brand id) pairs, for products of a brand that
    are not sensitive; ``customer_ids`` is a list or an SQL expression for ``__in``.
    ``changed_since(moment)``: the customers with something new since ``moment``."""

    name: str
    liked_brands: Callable[[Any], Iterable[tuple[int, int]]]
    changed_since: Callable[[datetime], Iterable[int]]


_sources: dict[str, TasteSource] = {}


def register_taste_source(source: TasteSource) -> None:
    _sources[source.name] = source


def taste_sources() -> list[TasteSource]:
    return list(_sources.values())
