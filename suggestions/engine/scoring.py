"""Her affinities (brand, category, colour) and what is in stock for her, per candidate.

An affinity is her decayed share of a brand (category, colour) minus the population's share of it,
so a shop with one category, or a brand everyone buys, does not tilt anything; a stated like adds
``Config.liked_boost``. Stock: with ``Catalogue.stock`` and her store in ``Preferences.store``, an
item is in stock for her when her store has it in one of her sizes (any size when none is known, or
when the item has no size); otherwise ``Catalogue.in_stock`` (if given) decides.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from suggestions.engine.ranking import ranges
from suggestions.engine.rules import contains
from suggestions.engine.types import FloatArray, IntArray, LongArray, Stock

if TYPE_CHECKING:
    from suggestions.engine.candidates import Context

_STORE_SHIFT = np.int64(40)
ANY_SIZE = -2
"""The size code standing for "whatever the size" in stock keys."""
DENSE_CELLS = 1 << 24
"""Customers x values cells up to which her shares are tabulated densely (8 bytes each)."""
_ITEM_SHIFT = np.int64(16)


@dataclass(frozen=True)
class Affinity:
    brand: FloatArray
    category: FloatArray
    colour: FloatArray

    def boost(self, *, brand_weight: float, category_weight: float, colour_weight: float) -> FloatArray:
        raw = 1.0 + brand_weight * self.brand + category_weight * self.category + colour_weight * self.colour
        return np.maximum(raw, 0.1)


def _shares(values: IntArray, weights: FloatArray, n_values: int) -> FloatArray:
    known = values >= 0
    totals = np.bincount(values[known], weights=weights[known], minlength=n_values)
    whole = weights.sum()
    return totals / whole if whole > 0 else totals


def affinities(
    batch: IntArray,
    history: tuple[LongArray, IntArray, FloatArray],
    candidates: tuple[LongArray, IntArray],
    *,
    context: Context,
) -> Affinity:
    """Per candidate (row in ``batch``, item): her affinity to its brand, category and colour."""
    hist_row, hist_item, hist_share = history
    cand_row, cand_item = candidates
    catalogue, index, model = context.catalogue, context.index, context.model
    her_total = np.bincount(hist_row, weights=hist_share, minlength=len(batch))
    out = []
    for values, liked in (
        (catalogue.brand, index.liked_brand),
        (catalogue.category, index.liked_category),
        (catalogue.colour, index.liked_colour),
    ):
        if len(liked) == 0 and (len(values) == 0 or values.min() == values.max()):
            out.append(np.zeros(len(cand_item)))  # unknown everywhere, or one value for all: no lean
            continue
        n_values = max(int(values.max(initial=-1)) + 1, 1)
        population = _shares(values, model.popularity, n_values)
        cand_values = values[cand_item]
        hist_values = values[hist_item]
        known = hist_values >= 0
        # Her share of each value: Σ shares of her items with that value / Σ all her shares.
        hers = _her_shares(
            (hist_row[known], hist_values[known], hist_share[known]),
            (cand_row, cand_values),
            n_rows=len(batch),
            n_values=n_values,
        )
        safe_total = np.where(her_total > 0, her_total, 1.0)
        hers = hers / safe_total[cand_row]
        affinity = np.where(cand_values >= 0, hers - population[np.maximum(cand_values, 0)], 0.0)
        affinity = affinity + context.config.liked_boost * contains(liked, batch[cand_row], cand_values)
        out.append(affinity)
    return Affinity(brand=out[0], category=out[1], colour=out[2])


def _her_shares(
    history: tuple[LongArray, IntArray, FloatArray],
    query: tuple[LongArray, IntArray],
    *,
    n_rows: int,
    n_values: int,
) -> FloatArray:
    """Σ of her history shares per (row, value), read at each query (row, value); 0 for value -1."""
    hist_row, hist_value, hist_share = history
    query_row, query_value = query
    out = np.zeros(len(query_row))
    valid = query_value >= 0
    if n_values <= 0 or len(hist_row) == 0:
        return out
    if n_rows * n_values <= DENSE_CELLS:
        table = np.bincount(hist_row * n_values + hist_value, weights=hist_share, minlength=n_rows * n_values)
        out[valid] = table[query_row[valid] * n_values + query_value[valid]]
        return out
    keys, inverse = np.unique(hist_row * n_values + hist_value, return_inverse=True)
    sums = np.bincount(inverse, weights=hist_share, minlength=len(keys))
    wanted = query_row[valid] * n_values + query_value[valid]
    at = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
    out[valid] = np.where(keys[at] == wanted, sums[at], 0.0)
    return out


@dataclass(frozen=True)
class StockView:
    in_stock: FloatArray
    """1.0 in stock for her, else 0.0."""
    restocked: FloatArray
    """The day it came back in stock where she would buy it (nan: unknown / never ran out)."""
    size: IntArray
    """The size in stock for her (-1: no size or not known)."""


@dataclass(frozen=True)
class StockIndex:
    """``Catalogue.stock`` as sorted keys: by (store, item, size), and by (store, item) for any size."""

    sized: LongArray
    sized_restocked: FloatArray
    sized_size: IntArray
    any_size: LongArray
    any_restocked: FloatArray

    @classmethod
    def of(cls, stock: Stock | None) -> StockIndex | None:
        if stock is None or len(stock.item) == 0:
            return None
        sized, sized_restocked, sized_size = _stock_keys(
            stock.store, stock.item, stock.size, stock.restocked_day
        )
        any_size, any_restocked, _ = _stock_keys(
            stock.store, stock.item, np.full(len(stock.item), ANY_SIZE), stock.restocked_day
        )
        return cls(sized, sized_restocked, sized_size, any_size, any_restocked)


def stock_for(customers: IntArray, items: IntArray, *, context: Context) -> StockView:
    catalogue, index = context.catalogue, context.index
    n = len(items)
    in_stock = np.zeros(n) if catalogue.in_stock is None else catalogue.in_stock[items].astype(np.float64)
    restocked = np.full(n, np.nan)
    size = np.full(n, -1, dtype=np.int32)
    stock = context.stock
    if stock is None or len(index.store) == 0:
        return StockView(in_stock=in_stock, restocked=restocked, size=size)

    store_lo, store_n = index.store.spans(customers)
    # Customers with a store: the store-level answer replaces the global one.
    in_stock[store_n > 0] = 0.0
    cand = np.repeat(np.arange(n), store_n)
    store = index.store.value[np.repeat(store_lo, store_n) + ranges(store_n)]
    size_lo, size_n = index.sizes.spans(customers[cand])
    # Each (candidate, store) is tried with every size of hers and with "one size" (-1); without a
    # known size, with any size.
    tries = size_n + 1
    cand = np.repeat(cand, tries)
    store = np.repeat(store, tries)
    offsets = ranges(tries)
    wanted_size = np.full(len(cand), -1, dtype=np.int64)
    sized = offsets < np.repeat(size_n, tries)
    wanted_size[sized] = index.sizes.value[np.repeat(size_lo, tries)[sized] + offsets[sized]]
    any_size = np.repeat(size_n == 0, tries) & ~sized
    query = _pack(store, items[cand], np.where(any_size, ANY_SIZE, wanted_size))
    for keys, restock_days, sizes, mask in (
        (stock.sized, stock.sized_restocked, stock.sized_size, ~any_size),
        (stock.any_size, stock.any_restocked, None, any_size),
    ):
        if not len(keys) or not mask.any():
            continue
        at = np.minimum(np.searchsorted(keys, query[mask]), len(keys) - 1)
        hit = keys[at] == query[mask]
        hit_cand = cand[mask][hit]
        in_stock[hit_cand] = 1.0
        np.fmax.at(restocked, hit_cand, restock_days[at[hit]])
        if sizes is not None:
            size[hit_cand] = np.maximum(size[hit_cand], sizes[at[hit]])
    return StockView(in_stock=in_stock, restocked=restocked, size=size)


def _pack(
    store: npt.NDArray[np.integer], item: npt.NDArray[np.integer], size: npt.NDArray[np.integer]
) -> LongArray:
    return (
        (store.astype(np.int64) << _STORE_SHIFT)
        | (item.astype(np.int64) << _ITEM_SHIFT)
        | (size.astype(np.int64) + 2)
    )


def _stock_keys(
    store: IntArray, item: IntArray, size: IntArray, restocked: FloatArray
) -> tuple[LongArray, FloatArray, IntArray]:
    keys = _pack(store, item, size)
    unique, inverse = np.unique(keys, return_inverse=True)
    latest = np.full(len(unique), np.nan)
    np.fmax.at(latest, inverse, restocked.astype(np.float64))
    sizes = np.full(len(unique), -1, dtype=np.int32)
    np.maximum.at(sizes, inverse, size.astype(np.int32))
    return unique, latest, sizes
