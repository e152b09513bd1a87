"""What a customer with no usable history is shown, each with a reason that is true: her store's best
sellers now, what our clients chose in the coming weeks a year ago, the brands and categories she
told us she likes and what the clients who like them buy (``peers``), items in stock in her sizes,
all within the price band of what her store sells.

``learn`` computes the statistics when the model is fitted, from the signal rows only (consenting
customers' and guests' orders, nothing sensitive), one count per order and item; ``Pools`` turns
them into the candidates ``candidates.new_candidates`` adds, and ``parts`` into the figures that
``reasons.explain`` names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped]

from suggestions.engine import peers
from suggestions.engine.ranking import best_per_group, keep_top_k_per_row
from suggestions.engine.types import (
    BoolArray,
    Catalogue,
    Config,
    FloatArray,
    IntArray,
    Interactions,
    LongArray,
)

if TYPE_CHECKING:
    from suggestions.engine.candidates import Context

MIN_BAND_LINES = 30
"""A store with fewer order lines in ``price_band_days`` uses the chain's price band."""
FAVOURITE_FLOOR = 0.3
"""A popularity (best seller = 1) this high names an item a store's or a season's favourite."""


@dataclass(frozen=True)
class Learnt:
    store_popularity: sp.csr_matrix
    """stores x items: orders holding the item at the store, decayed like ``Model.popularity``,
    each store's best seller = 1, its ``2 * starter_pool`` best kept."""
    seasonal_popularity: FloatArray
    """Per item: orders holding it in the season window a year ago, best seller = 1 (zeros without
    a year of history)."""
    price_band: FloatArray
    """(stores + 1) x 2: each store's low and high price (``Config.price_band_low`` and ``_high``);
    the last row is the chain's; nan where unknown."""


def empty(n_items: int) -> Learnt:
    """Nothing learnt: what a model fitted before ``starters`` existed reads as."""
    return Learnt(
        store_popularity=sp.csr_matrix((0, n_items), dtype=np.float32),
        seasonal_popularity=np.zeros(n_items),
        price_band=np.full((1, 2), np.nan),
    )


def learn(interactions: Interactions, catalogue: Catalogue, config: Config, now: float) -> Learnt:
    """Per-store popularity, the season's popularity and the stores' price bands."""
    n_items = interactions.n_items
    keep = ~catalogue.sensitive[interactions.item]
    key = interactions.basket[keep] * np.int64(n_items) + interactions.item[keep]
    _, first = np.unique(key, return_index=True)  # one count per order and item
    rows = np.flatnonzero(keep)[first]
    item, day = interactions.item[rows], interactions.day[rows]
    store = np.full(len(rows), -1, dtype=np.int32) if interactions.store is None else interactions.store[rows]

    ago = now - 365.0
    in_season = (day >= ago + config.season_from_days) & (day < ago + config.season_to_days)
    seasonal = _best_is_one(np.bincount(item[in_season], minlength=n_items).astype(np.float64))

    known = store >= 0
    n_stores = int(store.max(initial=-1)) + 1
    decay = np.power(0.5, np.maximum(now - day[known], 0.0) / config.popularity_half_life_days)
    by_store = sp.csr_matrix((decay, (store[known], item[known])), shape=(n_stores, n_items))
    by_store.sum_duplicates()
    tops = np.asarray(by_store.max(axis=1).todense()).ravel() if n_stores else np.zeros(0)
    by_store = sp.diags(np.where(tops > 0, 1.0 / np.where(tops > 0, tops, 1.0), 0.0)) @ by_store
    by_store = keep_top_k_per_row(sp.csr_matrix(by_store, dtype=np.float32), 2 * config.starter_pool)

    band = np.full((n_stores + 1, 2), np.nan)
    if catalogue.price is not None:
        recent = (day >= now - config.price_band_days) & ~np.isnan(catalogue.price[item])
        prices = catalogue.price[item[recent]]
        band[-1] = _band(prices, (config.price_band_low, config.price_band_high))
        at_store = store[recent]
        for one in np.unique(at_store[at_store >= 0]):
            band[one] = _band(prices[at_store == one], (config.price_band_low, config.price_band_high))
    return Learnt(store_popularity=by_store, seasonal_popularity=seasonal, price_band=band)


def _best_is_one(counts: FloatArray) -> FloatArray:
    top = counts.max(initial=0.0)
    return counts / top if top > 0 else counts


def _band(prices: FloatArray, quantiles: tuple[float, float]) -> FloatArray:
    if len(prices) < MIN_BAND_LINES:
        return np.full(2, np.nan)
    return np.quantile(prices, quantiles)


@dataclass(frozen=True)
class Pools:
    """What ``recommend`` reads for its batches: candidate pools and each customer's store."""

    store_popularity: sp.csr_matrix
    store_favourites: sp.csr_matrix
    """stores x items: each store's ``starter_pool`` best sellers that may be suggested."""
    seasonal_popularity: FloatArray
    season_favourites: IntArray
    category_pool: sp.csr_matrix
    """categories x items: each category's best sellers now (recent arrivals raised), for the
    categories she likes."""
    price_band: FloatArray

    @classmethod
    def of(
        cls, learnt: Learnt, catalogue: Catalogue, config: Config, prior: FloatArray, item_ok: BoolArray
    ) -> Pools:
        ok = sp.diags(item_ok.astype(np.float32))
        favourites = keep_top_k_per_row(sp.csr_matrix(learnt.store_popularity @ ok), config.starter_pool)
        favourites.eliminate_zeros()
        seasonal = np.where(item_ok, learnt.seasonal_popularity, 0.0)
        sold = np.flatnonzero(seasonal > 0)
        season: IntArray = sold[np.lexsort((sold, -seasonal[sold]))][: config.starter_pool].astype(np.int32)
        return cls(
            store_popularity=learnt.store_popularity,
            store_favourites=favourites,
            seasonal_popularity=learnt.seasonal_popularity,
            season_favourites=season,
            category_pool=best_per_group(
                catalogue.category,
                prior,
                np.flatnonzero(item_ok & (catalogue.category >= 0) & (prior > 0)),
                size=config.brand_pool_size,
                n_groups=int(catalogue.category.max(initial=-1)) + 1,
            ),
            price_band=learnt.price_band,
        )


def home_stores(batch: IntArray, context: Context) -> LongArray:
    """Per customer of the batch: her (first) home store, -1 when none is known."""
    stores = context.index.store
    start, count = stores.spans(batch)
    home = np.full(len(batch), -1, dtype=np.int64)
    has = count > 0
    home[has] = stores.value[start[has]]
    return home


def candidates(
    batch: IntArray, cold: BoolArray, home: LongArray, context: Context
) -> tuple[LongArray, IntArray]:
    """(row, item) pairs to consider: for a customer without history her store's (``home``, per row
    of the batch) and the season's best sellers and her peers' favourites; for everyone the best
    sellers of the categories she said she likes."""
    pools = context.starters
    rows: list[LongArray] = []
    items: list[IntArray] = []
    cold_rows = np.flatnonzero(cold)
    cold_home = home[cold_rows]
    with_store = (cold_home >= 0) & (cold_home < pools.store_favourites.shape[0])
    if with_store.any():
        picked = pools.store_favourites[cold_home[with_store]].tocoo()
        rows.append(cold_rows[with_store][picked.row])
        items.append(picked.col.astype(np.int32))
    season = pools.season_favourites
    rows.append(np.repeat(cold_rows, len(season)))
    items.append(np.tile(season, len(cold_rows)))
    n_categories = pools.category_pool.shape[0]
    liked_rows, liked = context.index.liked_category_pairs.of_rows(batch)
    valid = (liked >= 0) & (liked < n_categories)
    if valid.any():
        hers = sp.csr_matrix(
            (np.ones(int(valid.sum())), (liked_rows[valid], liked[valid])), shape=(len(batch), n_categories)
        )
        found = (hers @ pools.category_pool).tocoo()
        rows.append(found.row.astype(np.int64))
        items.append(found.col.astype(np.int32))
    if cold.any():
        liked = peers.scores(batch, cold, context).tocoo()
        rows.append(liked.row.astype(np.int64))
        items.append(liked.col.astype(np.int32))
    return np.concatenate(rows).astype(np.int64), np.concatenate(items).astype(np.int32)


def parts(home: LongArray, items: IntArray, context: Context) -> tuple[FloatArray, FloatArray]:
    """Per (home store, item) pair: the item's popularity at that store (0 for none, -1) and this
    season a year ago."""
    pools = context.starters
    at_store = np.zeros(len(items))
    known = (home >= 0) & (home < pools.store_popularity.shape[0])
    if known.any():
        at_store[known] = np.asarray(pools.store_popularity[home[known], items[known]]).ravel()
    return at_store, pools.seasonal_popularity[items]


def liked_by_peers(
    batch: IntArray, cold: BoolArray, rows: LongArray, items: IntArray, context: Context
) -> FloatArray:
    """Per (row, item) pair: how much her peers favour it (``peers.scores``; 0 for a row with history)."""
    if not cold.any() or not len(rows):
        return np.zeros(len(rows))
    return np.asarray(peers.scores(batch, cold, context)[rows, items]).ravel().astype(np.float64)


def in_band(home: LongArray, items: IntArray, context: Context) -> BoolArray:
    """Per (home store, item) pair: priced within the store's band (the chain's when it has none,
    or for -1); True when the price or the band is unknown."""
    price = context.catalogue.price
    band = context.starters.price_band
    if price is None:
        return np.ones(len(items), dtype=bool)
    chain = len(band) - 1
    which = np.where((home >= 0) & (home < chain), home, chain)
    which = np.where(np.isnan(band[which, 0]), chain, which)
    low, high = band[which, 0], band[which, 1]
    cost = price[items]
    unknown = np.isnan(cost) | np.isnan(low) | np.isnan(high)
    return unknown | ((cost >= low) & (cost <= high))


def is_cold(history_rows: LongArray, n_rows: int) -> BoolArray:
    """Per row of the batch: no usable history."""
    return np.bincount(history_rows, minlength=n_rows)[:n_rows] == 0
