"""People like her: what the clients who told us the same likes buy, for a customer without history.

``learn`` (at fit) counts, for every brand and category that clients said they like, the clients
among them who bought each item, from the signal rows only (nothing sensitive; a sensitive
category is never a taste). An item counts for a taste only once ``MIN_PEERS`` such clients bought
it, so no one client's purchase is ever shown for what it is. The count is divided by the square
root of the item's buyers (plus ``PEER_SHRINK``), so a taste's own favourites rise above the chain's
best sellers; each taste keeps its ``starter_pool`` best, the best at 1.

``scores`` adds up her tastes' rows: the candidates ``starters.candidates`` proposes and the figure
``reasons.explain`` names ("A favourite of clients who like what you like").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped]

from suggestions.engine.history import Profile
from suggestions.engine.ranking import keep_top_k_per_row
from suggestions.engine.types import BoolArray, Catalogue, Config, Float32Array, IntArray, Pairs, Preferences

if TYPE_CHECKING:
    from suggestions.engine.candidates import Context

MIN_PEERS = 3
"""Clients sharing a taste who bought an item before it counts as their favourite."""
PEER_SHRINK = 10.0


@dataclass(frozen=True)
class Tastes:
    by_brand: sp.csr_matrix
    """brands x items (float32): the favourites of the clients who like each brand, best = 1."""
    by_category: sp.csr_matrix
    """categories x items, the same for the categories clients said they like."""


def nobody(n_items: int) -> Tastes:
    """No likes told: what a model fitted without them (or before them) reads as."""
    return Tastes(
        sp.csr_matrix((0, n_items), dtype=np.float32), sp.csr_matrix((0, n_items), dtype=np.float32)
    )


def learn(profile: Profile, likes: Preferences, catalogue: Catalogue, config: Config) -> Tastes:
    """Each taste's favourites (see the module docstring); ``likes`` indexed like the profile's
    customers. Only the purchases of customers who told us a like are read for the counts."""
    n_customers, n_items = len(profile.orders), catalogue.n_items
    buyers = np.bincount(profile.item, minlength=n_items).astype(np.float32)
    scale = (1.0 / np.sqrt(buyers + PEER_SHRINK)).astype(np.float32)
    told = np.zeros(n_customers, dtype=bool)
    for customers, _ in (likes.liked_brands, likes.liked_categories):
        told[customers[(customers >= 0) & (customers < n_customers)]] = True
    hers = told[profile.customer]
    bought = sp.csr_matrix(
        (scale[profile.item[hers]], (profile.customer[hers], profile.item[hers])),
        shape=(n_customers, n_items),
    )
    sensitive_categories = np.unique(catalogue.category[catalogue.sensitive])
    n_brands = int(catalogue.brand.max(initial=-1)) + 1
    n_categories = int(catalogue.category.max(initial=-1)) + 1
    categories_ok = np.ones(n_categories, dtype=bool)
    categories_ok[sensitive_categories[sensitive_categories >= 0]] = False
    return Tastes(
        by_brand=_favourites(likes.liked_brands, np.ones(n_brands, dtype=bool), bought, scale, config),
        by_category=_favourites(likes.liked_categories, categories_ok, bought, scale, config),
    )


def _favourites(
    pairs: Pairs, ok: BoolArray, bought: sp.csr_matrix, scale: Float32Array, config: Config
) -> sp.csr_matrix:
    """taste x items: the scaled count of its clients who bought each item, where at least
    ``MIN_PEERS`` did (``bought`` holds each purchase as the item's ``scale``)."""
    customers, values = pairs
    n_customers = bought.shape[0]
    keep = (values >= 0) & (values < len(ok)) & (customers >= 0) & (customers < n_customers)
    keep[keep] = ok[values[keep]]
    key = np.unique(values[keep].astype(np.int64) * n_customers + customers[keep])
    said = sp.csr_matrix(
        (np.ones(len(key), dtype=np.float32), (key // n_customers, key % n_customers)),
        shape=(len(ok), n_customers),
    )
    peers = sp.csr_matrix(said @ bought)
    # Each purchase counted as its item's scale: MIN_PEERS clients at least, per item.
    peers.data[peers.data < MIN_PEERS * scale[peers.indices] * (1 - 1e-4)] = 0.0
    peers.eliminate_zeros()
    top = np.asarray(peers.max(axis=1).todense()).ravel() if peers.shape[0] else np.zeros(0)
    peers = sp.csr_matrix(sp.diags(np.where(top > 0, 1.0 / np.where(top > 0, top, 1.0), 0.0)) @ peers)
    return keep_top_k_per_row(sp.csr_matrix(peers, dtype=np.float32), config.starter_pool)


def scores(batch: IntArray, rows: np.ndarray, context: Context) -> sp.csr_matrix:
    """len(batch) x items: the sum of her tastes' favourites, for the batch rows flagged in ``rows``
    (the others stay empty)."""
    tastes = context.model.tastes()
    n_rows, n_items = len(batch), context.model.n_items
    total = sp.csr_matrix((n_rows, n_items), dtype=np.float32)
    for pairs, table in (
        (context.index.liked_brand_pairs, tastes.by_brand),
        (context.index.liked_category_pairs, tastes.by_category),
    ):
        her_rows, values = pairs.of_rows(batch)
        keep = rows[her_rows] & (values >= 0) & (values < table.shape[0])
        if not keep.any():
            continue
        hers = sp.csr_matrix(
            (np.ones(int(keep.sum()), dtype=np.float32), (her_rows[keep], values[keep])),
            shape=(n_rows, table.shape[0]),
        )
        total = total + hers @ table
    return sp.csr_matrix(total)
