"""The engine's inputs and outputs: plain frozen dataclasses of numpy arrays, no Django.

Every index is dense (customers ``0..n_customers-1``, items ``0..n_items-1``); the caller keeps the
mapping to its own ids. Days are floats counted from any fixed epoch, the same one everywhere.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

import numpy as np
import numpy.typing as npt

from suggestions.engine.config import Config as Config  # re-exported: the engine's settings

IntArray = npt.NDArray[np.int32]
LongArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
Float32Array = npt.NDArray[np.float32]
BoolArray = npt.NDArray[np.bool_]
Pairs = tuple[IntArray, IntArray]
"""``(customers, values)``: one stated preference per position."""

MODEL_VERSION: Final = "2026.3"
"""Bumped whenever the algorithm or the meaning of a field changes (stored with every suggestion)."""

# Which list a suggestion belongs to.
BUY_AGAIN: Final = 0
DISCOVER: Final = 1
COMBINED: Final = 2
LIST_NAMES: Final = ("buy_again", "discover", "combined")

# Why an item is suggested; ``anchor_item``, ``anchor_day`` and ``reason_value`` carry the details.
BOUGHT_BEFORE: Final = 1
"""She buys it again and again: anchor = the item itself, anchor_day = when she last bought it."""
GOES_WITH: Final = 2
"""Bought together with something she bought: anchor = that item, anchor_day = when she bought it."""
BRAND_YOU_LOVE: Final = 3
"""From a brand she buys or said she likes: reason_value = the brand."""
NEW_FROM_BRAND: Final = 4
"""Arrived recently (``Config.new_days``) from a brand she loves: reason_value = the brand."""
POPULAR_WITH_SIMILAR: Final = 5
"""Customers who buy what she buys buy it, with no single purchase of hers explaining it."""
IN_STOCK: Final = 6
"""Back in stock in her store in her size: reason_value = the size (-1 when the item has none)."""
POPULAR: Final = 7
"""A best seller, for a customer without usable history."""
CATEGORY_YOU_LIKE: Final = 8
"""From a category she buys or said she likes: reason_value = the category."""
IN_YOUR_SIZE: Final = 9
"""In stock in her store in a size she told us: reason_value = the size."""
POPULAR_AT_STORE: Final = 10
"""Among her store's best sellers now (``starters``): reason_value = the store."""
IN_SEASON: Final = 11
"""Among the best sellers of the coming weeks a year ago (``starters``)."""
LIKED_BY_PEERS: Final = 12
"""A favourite of the clients who told us the likes she told us (``peers``)."""
REASON_NAMES: Final = {
    BOUGHT_BEFORE: "bought_before",
    GOES_WITH: "goes_with",
    BRAND_YOU_LOVE: "brand_you_love",
    NEW_FROM_BRAND: "new_from_brand",
    POPULAR_WITH_SIMILAR: "popular_with_similar",
    IN_STOCK: "in_stock",
    POPULAR: "popular",
    CATEGORY_YOU_LIKE: "category_you_like",
    IN_YOUR_SIZE: "in_your_size",
    POPULAR_AT_STORE: "popular_at_store",
    IN_SEASON: "in_season",
    LIKED_BY_PEERS: "liked_by_peers",
}


def _int32(values: object) -> IntArray:
    return np.asarray(values, dtype=np.int32)


def no_pairs() -> Pairs:
    return (np.empty(0, dtype=np.int32), np.empty(0, dtype=np.int32))


def no_dismissals() -> tuple[IntArray, IntArray, FloatArray]:
    return (np.empty(0, dtype=np.int32), np.empty(0, dtype=np.int32), np.empty(0, dtype=np.float64))


@dataclass(frozen=True)
class Interactions:
    """One row per purchased line (sensitive ones included: the engine drops them itself)."""

    customer: IntArray
    item: IntArray
    day: FloatArray
    """When the order was placed, in days since the epoch."""
    quantity: Float32Array
    """Units on the line (> 0). Kept for the caller; the model counts orders, not units."""
    basket: LongArray
    """The order: lines of one order share it (unique across customers)."""
    n_customers: int
    n_items: int
    store: IntArray | None = None
    """Optional: the store of the order (-1 unknown), for ``starters``' per-store statistics."""

    def __post_init__(self) -> None:
        n = len(self.customer)
        for name in ("item", "day", "quantity", "basket", "store"):
            if getattr(self, name) is not None and len(getattr(self, name)) != n:
                raise ValueError(
                    f"Interactions.{name} has {len(getattr(self, name))} rows, customer has {n}."
                )
        if n:
            if self.customer.min() < 0 or self.customer.max() >= self.n_customers:
                raise ValueError("Interactions.customer holds an index outside 0..n_customers-1.")
            if self.item.min() < 0 or self.item.max() >= self.n_items:
                raise ValueError("Interactions.item holds an index outside 0..n_items-1.")

    @classmethod
    def build(
        cls,
        *,
        customer: object,
        item: object,
        day: object,
        basket: object,
        quantity: object | None = None,
        n_customers: int | None = None,
        n_items: int | None = None,
        store: object | None = None,
    ) -> "Interactions":
        """Coerce lists or arrays to the right dtypes; sizes default to the largest index + 1."""
        customers = _int32(customer)
        items = _int32(item)
        days = np.asarray(day, dtype=np.float64)
        quantities = (
            np.ones(len(customers), dtype=np.float32)
            if quantity is None
            else np.asarray(quantity, dtype=np.float32)
        )
        return cls(
            customer=customers,
            item=items,
            day=days,
            quantity=quantities,
            basket=np.asarray(basket, dtype=np.int64),
            n_customers=int(customers.max(initial=-1)) + 1 if n_customers is None else n_customers,
            n_items=int(items.max(initial=-1)) + 1 if n_items is None else n_items,
            store=None if store is None else _int32(store),
        )


@dataclass(frozen=True)
class Stock:
    """What is on the shelves: one row per (store, item, size) with stock, sizes coded by the caller."""

    store: IntArray
    item: IntArray
    size: IntArray
    """-1 for an item sold in one size only."""
    restocked_day: FloatArray
    """When this row came back in stock after being sold out; nan when it never ran out."""


@dataclass(frozen=True)
class Catalogue:
    """Per item attributes, every array of length ``n_items``."""

    category: IntArray
    brand: IntArray
    """-1: unknown."""
    colour: IntArray
    """-1: unknown."""
    sensitive: BoolArray
    """Never suggested, and her purchases of it are not used as signals at all."""
    replenishable: BoolArray
    """May be suggested again after she bought it (the Buy again list): the retailer's word, read
    only where ``replenishable_known`` (the engine learns the rest: ``replenishment``)."""
    suggestable: BoolArray
    """Active and sellable now."""
    new_since: FloatArray
    """The day it arrived (for "New from <brand>"); nan when unknown."""
    in_stock: BoolArray | None = None
    """Optional: in stock somewhere (a mild boost); see ``stock`` for her store and size."""
    stock: Stock | None = None
    """Optional: stock by store and size, read with ``Preferences.store`` and ``Preferences.sizes``."""
    price: FloatArray | None = None
    """Optional: the unit price (nan unknown), for the price band of a customer without history."""
    replenishable_known: BoolArray | None = None
    """Optional: where False, whether the item is bought again is learnt from the data; None: the
    retailer said it for every item."""

    @property
    def n_items(self) -> int:
        return len(self.category)

    def __post_init__(self) -> None:
        n = len(self.category)
        for name in ("brand", "colour", "sensitive", "replenishable", "suggestable", "new_since"):
            if len(getattr(self, name)) != n:
                raise ValueError(f"Catalogue.{name} has {len(getattr(self, name))} items, category has {n}.")
        for name in ("in_stock", "price", "replenishable_known"):
            if getattr(self, name) is not None and len(getattr(self, name)) != n:
                raise ValueError(f"Catalogue.{name} has {len(getattr(self, name))} items, category has {n}.")

    @classmethod
    def plain(
        cls,
        n_items: int,
        *,
        category: object | None = None,
        brand: object | None = None,
        colour: object | None = None,
        sensitive: object | None = None,
        replenishable: object | None = None,
        suggestable: object | None = None,
        new_since: object | None = None,
        in_stock: object | None = None,
        stock: Stock | None = None,
        price: object | None = None,
        replenishable_known: object | None = None,
    ) -> "Catalogue":
        """A catalogue with defaults: one category, no brand or colour, nothing sensitive, all
        replenishable (the retailer's word for every item), all suggestable, arrival unknown. A flag
        may be one value for every item."""

        def ints(values: object | None, default: int) -> IntArray:
            return np.full(n_items, default, dtype=np.int32) if values is None else _int32(values)

        def flags(values: object | None, default: bool) -> BoolArray:
            given = default if values is None else values
            return np.broadcast_to(np.asarray(given, dtype=bool), (n_items,)).copy()

        return cls(
            category=ints(category, 0),
            brand=ints(brand, -1),
            colour=ints(colour, -1),
            sensitive=flags(sensitive, False),
            replenishable=flags(replenishable, True),
            suggestable=flags(suggestable, True),
            new_since=(
                np.full(n_items, math.nan) if new_since is None else np.asarray(new_since, dtype=np.float64)
            ),
            in_stock=None if in_stock is None else np.asarray(in_stock, dtype=bool),
            stock=stock,
            price=None if price is None else np.asarray(price, dtype=np.float64),
            replenishable_known=None if replenishable_known is None else flags(replenishable_known, True),
        )


@dataclass(frozen=True)
class Preferences:
    """What she told us and what she waved away, as ``(customers, values)`` pairs of int32 arrays."""

    liked_brands: Pairs = field(default_factory=no_pairs)
    liked_categories: Pairs = field(default_factory=no_pairs)
    liked_colours: Pairs = field(default_factory=no_pairs)
    disliked_brands: Pairs = field(default_factory=no_pairs)
    """Hard filter, like the two below."""
    disliked_categories: Pairs = field(default_factory=no_pairs)
    disliked_colours: Pairs = field(default_factory=no_pairs)
    dismissed: tuple[IntArray, IntArray, FloatArray] = field(default_factory=no_dismissals)
    """``(customers, items, day)``: hidden while ``now - day < Config.dismiss_days``."""
    store: Pairs = field(default_factory=no_pairs)
    """Her home store(s), read with ``Catalogue.stock``."""
    sizes: Pairs = field(default_factory=no_pairs)
    """Her sizes (the caller's codes), read with ``Catalogue.stock``."""


@dataclass(frozen=True)
class Suggestions:
    """The output: flat arrays, one row per suggestion, rows of a customer's list in rank order."""

    customer: IntArray
    item: IntArray
    rank: IntArray
    """1-based, within its list."""
    list: npt.NDArray[np.int8]
    """BUY_AGAIN, DISCOVER or COMBINED."""
    score: Float32Array
    reason: npt.NDArray[np.int8]
    anchor_item: IntArray
    """The item that explains it (for "goes with X"), -1 when none."""
    anchor_day: FloatArray
    """When she bought the anchor (or last bought the item itself); nan when none."""
    reason_value: IntArray
    """The brand, category or size named by the reason; -1 when none."""
    times_bought: IntArray
    """How many of her orders held the item (Buy again); 0 otherwise."""
    model_version: str = MODEL_VERSION

    def __len__(self) -> int:
        return len(self.customer)

    @classmethod
    def empty(cls) -> "Suggestions":
        return cls(
            customer=np.empty(0, dtype=np.int32),
            item=np.empty(0, dtype=np.int32),
            rank=np.empty(0, dtype=np.int32),
            list=np.empty(0, dtype=np.int8),
            score=np.empty(0, dtype=np.float32),
            reason=np.empty(0, dtype=np.int8),
            anchor_item=np.empty(0, dtype=np.int32),
            anchor_day=np.empty(0, dtype=np.float64),
            reason_value=np.empty(0, dtype=np.int32),
            times_bought=np.empty(0, dtype=np.int32),
        )

    @classmethod
    def concatenate(cls, parts: "Sequence[Suggestions]") -> "Suggestions":
        """The rows of ``parts`` one after the other."""
        if not parts:
            return cls.empty()
        if len(parts) == 1:
            return parts[0]
        return cls(
            customer=np.concatenate([part.customer for part in parts]),
            item=np.concatenate([part.item for part in parts]),
            rank=np.concatenate([part.rank for part in parts]),
            list=np.concatenate([part.list for part in parts]),
            score=np.concatenate([part.score for part in parts]),
            reason=np.concatenate([part.reason for part in parts]),
            anchor_item=np.concatenate([part.anchor_item for part in parts]),
            anchor_day=np.concatenate([part.anchor_day for part in parts]),
            reason_value=np.concatenate([part.reason_value for part in parts]),
            times_bought=np.concatenate([part.times_bought for part in parts]),
            model_version=parts[0].model_version,
        )

    def of_list(self, which: int) -> "Suggestions":
        """Only the rows of one list (BUY_AGAIN, DISCOVER or COMBINED)."""
        keep = self.list == which
        return Suggestions(
            customer=self.customer[keep],
            item=self.item[keep],
            rank=self.rank[keep],
            list=self.list[keep],
            score=self.score[keep],
            reason=self.reason[keep],
            anchor_item=self.anchor_item[keep],
            anchor_day=self.anchor_day[keep],
            reason_value=self.reason_value[keep],
            times_bought=self.times_bought[keep],
            model_version=self.model_version,
        )
