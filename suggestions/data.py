"""Reading what the engine needs out of PostgreSQL as numpy arrays: who consents, the catalogue with
its stock, and what each customer told us. The order lines, the large part, are in
``suggestions.order_lines``. All of this is small and read with ordinary queries.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import numpy as np
from django.db import connection
from django.db.models.expressions import RawSQL
from django.utils import timezone

from catalog.models import Product, StockLevel
from catalog.selectors import said_replenishment
from consent.models import ConsentState, PurposeCode
from consent.selectors import consenting
from customers.models import Customer, Preference, PreferenceKind, Size
from suggestions.arrays import BIGINT, INT, copy_arrays
from suggestions.engine import Catalogue, Preferences, Stock
from suggestions.engine.types import IntArray, LongArray
from suggestions.models import Feedback
from suggestions.sources import taste_sources

EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def day_of(moment: datetime) -> float:
    """Days since ``EPOCH`` (the engine's time axis)."""
    return (moment - EPOCH).total_seconds() / 86400


def date_of(day: float) -> date | None:
    return None if math.isnan(day) else (EPOCH + timedelta(days=day)).date()


_codes: dict[str, dict[str, int]] = {"colour": {}, "size": {}}


def code_of(kind: str, text: str) -> int:
    """A small int for a colour or size ("Navy" and " navy" alike), dense from 0 as the engine wants,
    the same for the catalogue and the preferences read by this process."""
    codes = _codes[kind]
    return codes.setdefault(text.strip().casefold(), len(codes))


@dataclass(frozen=True)
class ItemIndex:
    """Product ids in item order: item ``i`` is product ``product_ids[i]`` (sorted ascending)."""

    product_ids: LongArray

    def items_of(self, product_ids: LongArray) -> IntArray:
        """Item index of each product id; -1 for a product the index does not hold."""
        at = np.searchsorted(self.product_ids, product_ids)
        at = np.minimum(at, max(len(self.product_ids) - 1, 0))
        found = len(self.product_ids) > 0
        hit = found & (self.product_ids[at] == product_ids) if found else np.zeros(len(product_ids), bool)
        return np.where(hit, at, -1).astype(np.int32)


def any_of(ids: Iterable[int] | LongArray) -> RawSQL:
    """For ``field__in=any_of(ids)`` with thousands of ids: they travel as one array parameter,
    where ``field__in=ids`` would send (and have PostgreSQL parse) one placeholder per id."""
    values = ids.tolist() if isinstance(ids, np.ndarray) else [int(pk) for pk in ids]
    return RawSQL("SELECT unnest(%s::int8[])", (values,))


# --- customers -----------------------------------------------------------------------------------


def consenting_customer_ids(*, between: tuple[int, int] | None = None) -> LongArray:
    """Ids (ascending) of active customers who grant ``suggestions`` now, optionally in [lo, hi]."""
    queryset = consenting(Customer.objects.active(), PurposeCode.SUGGESTIONS)
    if between is not None:
        queryset = queryset.filter(pk__gte=between[0], pk__lte=between[1])
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    # One array rather than a row per customer (half a million at a million customers).
    query = f"SELECT array_agg(pk::int8) FROM ({sql}) AS ids(pk)"  # noqa: S608 - Django's own SQL
    (ids,) = copy_arrays(query, params, (BIGINT,))
    return np.sort(ids)


def keep_consenting(customer_ids: Iterable[int]) -> LongArray:
    ids = list(customer_ids)
    granted = ConsentState.objects.filter(
        customer_id__in=any_of(ids),
        purpose_id=PurposeCode.SUGGESTIONS,
        granted=True,
        customer__merged_into__isnull=True,
        customer__erased_at__isnull=True,
    ).values_list("customer_id", flat=True)
    return np.array(sorted(set(granted)), dtype=np.int64)


# --- catalogue -----------------------------------------------------------------------------------


def item_index() -> ItemIndex:
    return ItemIndex(np.fromiter(Product.objects.order_by("pk").values_list("pk", flat=True), dtype=np.int64))


def load_catalogue(items: ItemIndex) -> Catalogue:
    """Attributes of the index's products, in item order (a product deleted since is unsuggestable)."""
    n = len(items.product_ids)
    category = np.zeros(n, dtype=np.int32)
    brand = np.full(n, -1, dtype=np.int32)
    colour = np.full(n, -1, dtype=np.int32)
    sensitive = np.zeros(n, dtype=bool)
    suggestable = np.zeros(n, dtype=bool)
    new_since = np.full(n, math.nan)
    price = np.full(n, math.nan)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT p.id, p.category_id, coalesce(p.brand_id, -1), c.is_sensitive,
                   p.is_active, p.created_at,
                   (SELECT v.colour FROM catalog_productvariant v
                     WHERE v.product_id = p.id AND v.colour <> ''
                     GROUP BY v.colour ORDER BY count(*) DESC, v.colour LIMIT 1),
                   p.price::float8
            FROM catalog_product p JOIN catalog_category c ON c.id = p.category_id
            """
        )
        rows = cursor.fetchall()
    if rows:
        ids = np.array([r[0] for r in rows], dtype=np.int64)
        at = items.items_of(ids)
        ok = at >= 0
        pick = at[ok]
        category[pick] = np.array([r[1] for r in rows], dtype=np.int32)[ok]
        brand[pick] = np.array([r[2] for r in rows], dtype=np.int32)[ok]
        sensitive[pick] = np.array([r[3] for r in rows], dtype=bool)[ok]
        suggestable[pick] = np.array([r[4] for r in rows], dtype=bool)[ok]
        new_since[pick] = np.array([day_of(r[5]) for r in rows])[ok]
        colour[pick] = np.array([code_of("colour", r[6]) if r[6] else -1 for r in rows], dtype=np.int32)[ok]
        price[pick] = np.array([r[7] for r in rows], dtype=np.float64)[ok]
    said = said_cycles(items)
    in_stock, stock = _stock(items)
    return Catalogue(
        category=category,
        brand=brand,
        colour=colour,
        sensitive=sensitive,
        replenishable=said.replenishable,
        suggestable=suggestable & ~sensitive,
        new_since=new_since,
        in_stock=in_stock,
        stock=stock,
        price=price,
        replenishable_known=said.known,
    )


@dataclass(frozen=True)
class SaidCycles:
    """What the retailer said of each item of an index (``catalog.selectors.said_replenishment``)."""

    known: np.ndarray
    """The retailer said whether it is bought again (else the engine learns it)."""
    replenishable: np.ndarray
    days: np.ndarray
    """Its cycle, nan when not said."""


def said_cycles(items: ItemIndex) -> SaidCycles:
    n = len(items.product_ids)
    known = np.zeros(n, dtype=bool)
    replenishable = np.zeros(n, dtype=bool)
    days = np.full(n, math.nan)
    rows = said_replenishment()
    if rows:
        at = items.items_of(np.array([r[0] for r in rows], dtype=np.int64))
        ok = at >= 0
        known[at[ok]] = True
        replenishable[at[ok]] = np.array([r[1] for r in rows], dtype=bool)[ok]
        days[at[ok]] = np.array([math.nan if r[2] is None else r[2] for r in rows], dtype=np.float64)[ok]
    return SaidCycles(known=known, replenishable=replenishable, days=days)


def _stock(items: ItemIndex) -> tuple[np.ndarray, Stock]:
    rows = list(
        StockLevel.objects.filter(quantity__gt=0).values_list(
            "store_id", "variant__product_id", "variant__size"
        )
    )
    store = np.array([r[0] for r in rows], dtype=np.int32)
    item = items.items_of(np.array([r[1] for r in rows], dtype=np.int64))
    size = np.array([code_of("size", r[2]) if r[2] else -1 for r in rows], dtype=np.int32)
    keep = item >= 0
    in_stock = np.zeros(len(items.product_ids), dtype=bool)
    in_stock[item[keep]] = True
    stock = Stock(
        store=store[keep],
        item=item[keep],
        size=size[keep],
        restocked_day=np.full(int(keep.sum()), math.nan),  # no stock history is kept yet
    )
    return in_stock, stock


# --- what she told us ----------------------------------------------------------------------------


def _pairs(rows: list[tuple[int, int]]) -> tuple[IntArray, IntArray]:
    return (
        np.array([r[0] for r in rows], dtype=np.int32),
        np.array([r[1] for r in rows], dtype=np.int32),
    )


def stated_likes(customer_ids: LongArray) -> Preferences:
    """The brands and categories consenting customers said they like, indexed by position in
    ``customer_ids`` (sorted; others' left out): what the fit learns each taste's favourites from
    (``engine.peers``). Only what they told us, read as three arrays."""
    consenting_sql, params = (
        consenting(Customer.objects.active(), PurposeCode.SUGGESTIONS)
        .order_by()
        .values("pk")
        .query.sql_with_params()
    )
    customers, targets, brands = copy_arrays(
        f"""SELECT coalesce(array_agg(customer_id::int8), '{{}}'),
                   coalesce(array_agg(coalesce(brand_id, category_id)::int8), '{{}}'),
                   coalesce(array_agg((kind = 'brand')::int), '{{}}')
            FROM {Preference._meta.db_table}
            WHERE likes AND kind IN ('brand', 'category') AND customer_id IN ({consenting_sql})""",  # noqa: S608 - fixed SQL and Django's own
        params,
        (BIGINT, BIGINT, INT),
    )
    at = np.minimum(np.searchsorted(customer_ids, customers), max(len(customer_ids) - 1, 0))
    known = customer_ids[at] == customers if len(customer_ids) else np.zeros(len(customers), dtype=bool)
    brand = brands.astype(bool)
    return Preferences(
        liked_brands=(at[known & brand].astype(np.int32), targets[known & brand].astype(np.int32)),
        liked_categories=(at[known & ~brand].astype(np.int32), targets[known & ~brand].astype(np.int32)),
    )


def load_preferences(customer_ids: LongArray, items: ItemIndex, *, dismiss_days: float) -> Preferences:
    """Likes, dislikes, dismissals, home store and sizes, indexed by position in ``customer_ids``."""
    index = {int(pk): n for n, pk in enumerate(customer_ids)}
    ids = any_of(customer_ids)
    buckets: dict[tuple[str, bool], list[tuple[int, int]]] = {}
    for customer_id, kind, likes, brand_id, category_id, value in Preference.objects.filter(
        customer_id__in=ids, kind__in=[PreferenceKind.BRAND, PreferenceKind.CATEGORY, PreferenceKind.COLOUR]
    ).values_list("customer_id", "kind", "likes", "brand_id", "category_id", "value"):
        target = (
            brand_id
            if kind == PreferenceKind.BRAND
            else category_id
            if kind == "category"
            else code_of("colour", value)
        )
        buckets.setdefault((kind, likes), []).append((index[customer_id], target))
    # A suggestion she liked on the card counts as liking its brand; so do the products she showed she
    # likes elsewhere (``sources``: a look's item she liked, her wishlist), never sensitive ones.
    liked_brands = set(
        Feedback.objects.filter(customer_id__in=ids, kind=Feedback.Kind.LIKED, product__brand__isnull=False)
        .values_list("customer_id", "product__brand_id")
        .distinct()
    )
    for source in taste_sources():
        liked_brands.update(source.liked_brands(ids))
    for customer_id, brand_id in sorted(liked_brands):
        buckets.setdefault((PreferenceKind.BRAND, True), []).append((index[customer_id], brand_id))

    since = timezone.now() - timedelta(days=dismiss_days)
    dismissed = list(
        Feedback.objects.filter(customer_id__in=ids, kind=Feedback.Kind.DISMISSED, at__gte=since).values_list(
            "customer_id", "product_id", "at"
        )
    )
    dismissed_items = items.items_of(np.array([d[1] for d in dismissed], dtype=np.int64))
    known = dismissed_items >= 0
    homes = [
        (index[pk], store)
        for pk, store in Customer.objects.filter(pk__in=ids, home_store__isnull=False).values_list(
            "pk", "home_store_id"
        )
    ]
    sizes = [
        (index[pk], code_of("size", size))
        for pk, size in Size.objects.filter(customer_id__in=ids).values_list("customer_id", "size")
    ]
    return Preferences(
        liked_brands=_pairs(buckets.get((PreferenceKind.BRAND, True), [])),
        liked_categories=_pairs(buckets.get((PreferenceKind.CATEGORY, True), [])),
        liked_colours=_pairs(buckets.get((PreferenceKind.COLOUR, True), [])),
        disliked_brands=_pairs(buckets.get((PreferenceKind.BRAND, False), [])),
        disliked_categories=_pairs(buckets.get((PreferenceKind.CATEGORY, False), [])),
        disliked_colours=_pairs(buckets.get((PreferenceKind.COLOUR, False), [])),
        dismissed=(
            np.array([index[d[0]] for d in dismissed], dtype=np.int32)[known],
            dismissed_items[known],
            np.array([day_of(d[2]) for d in dismissed], dtype=np.float64)[known],
        ),
        store=_pairs(homes),
        sizes=_pairs(sizes),
    )
