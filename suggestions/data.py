"""Reading what the engine needs out of PostgreSQL as numpy arrays, fast enough for a million customers.

Order lines are read with ``COPY … TO STDOUT (FORMAT BINARY)``: every column is fixed-width and never
NULL, so each row has the same byte layout and numpy reads the whole stream at once. Everything else
(catalogue, preferences, stock) is small and read with ordinary queries.

Only customers who currently grant the ``suggestions`` purpose are read, for her own list and for the
population statistics alike; orders without a customer (guest checkouts) feed the statistics, each
as its own pseudo-customer. Sensitive purchases are read like any other and dropped by the engine.
"""

import io
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import numpy as np
from django.db import connection
from django.db.models.expressions import RawSQL
from django.utils import timezone

from catalog.models import Product, StockLevel
from consent.models import ConsentState, PurposeCode
from customers.models import Customer, Preference, PreferenceKind, Size
from suggestions.engine import Catalogue, Interactions, Preferences, Stock
from suggestions.engine.types import FloatArray, IntArray, LongArray
from suggestions.models import Feedback

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


# --- order lines ---------------------------------------------------------------------------------

# A binary COPY row of (customer bigint, product bigint, basket bigint, day float8, quantity int4).
_ROW = np.dtype(
    [
        ("fields", ">i2"),
        ("l1", ">i4"),
        ("customer", ">i8"),
        ("l2", ">i4"),
        ("product", ">i8"),
        ("l3", ">i4"),
        ("basket", ">i8"),
        ("l4", ">i4"),
        ("day", ">f8"),
        ("l5", ">i4"),
        ("quantity", ">i4"),
    ]
)
_HEADER = 19  # signature (11) + flags (4) + header extension length (4)
_TRAILER = 2


@dataclass(frozen=True)
class Lines:
    """Order lines as read: customer ids (negative: a guest order's pseudo-customer), product ids."""

    customer_id: LongArray
    product_id: LongArray
    basket: LongArray
    day: FloatArray
    quantity: np.ndarray


_LINES_SQL = """
COPY (
    SELECT coalesce(o.customer_id, -o.id)::int8, l.product_id::int8, o.id::int8,
           (extract(epoch FROM o.placed_at - %(epoch)s::timestamptz) / 86400)::float8,
           greatest(l.quantity, 1)::int4
    FROM sales_orderline l
    JOIN sales_order o ON o.id = l.order_id
    WHERE {where}
) TO STDOUT (FORMAT BINARY)
"""

# Customers whose lines count: those who grant the purpose now (and, for the population, guests).
_CONSENTING = """
    EXISTS (SELECT 1 FROM consent_consentstate s JOIN customers_customer c ON c.id = s.customer_id
            WHERE s.customer_id = o.customer_id AND s.purpose_id = %(purpose)s AND s.granted
              AND c.merged_into_id IS NULL AND c.erased_at IS NULL)
"""


def _copy_lines(where: str, params: dict[str, object]) -> Lines:
    buffer = io.BytesIO()
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor under Django's wrapper
        with raw.copy(_LINES_SQL.format(where=where), {"epoch": EPOCH, **params}) as copy:
            for chunk in copy:
                buffer.write(chunk)
    data = buffer.getbuffer()[_HEADER : len(buffer.getbuffer()) - _TRAILER]
    rows = np.frombuffer(data, dtype=_ROW)
    return Lines(
        customer_id=rows["customer"].astype(np.int64),
        product_id=rows["product"].astype(np.int64),
        basket=rows["basket"].astype(np.int64),
        day=rows["day"].astype(np.float64),
        quantity=rows["quantity"].astype(np.float32),
    )


def population_lines() -> Lines:
    """Every line of consenting customers and of guest orders: what the population model learns from."""
    return _copy_lines(f"(o.customer_id IS NULL OR {_CONSENTING})", {"purpose": PurposeCode.SUGGESTIONS})


def lines_of(customer_ids: LongArray, *, held: "HeldLines | None" = None) -> Lines:
    """The lines of these customers (the caller has already kept only those who consent): from
    ``held`` when given, but from PostgreSQL for those it may lack (``changed_since_read``)."""
    if held is None:
        return _read_lines_of(customer_ids)
    changed = changed_since_read(held.read_at - HELD_MARGIN, customer_ids)
    fresh = _read_lines_of(changed)
    kept = held.slice(customer_ids[~np.isin(customer_ids, changed)])
    return Lines(*(np.concatenate([getattr(kept, f), getattr(fresh, f)]) for f in Lines.__dataclass_fields__))


def _read_lines_of(customer_ids: LongArray) -> Lines:
    """The id range next to the list lets PostgreSQL read one slice of the orders index (a batch's
    customers are contiguous ids), rather than hash-join every order line."""
    if len(customer_ids) == 0:
        return _copy_lines("false", {})
    return _copy_lines(
        "o.customer_id BETWEEN %(lo)s AND %(hi)s AND o.customer_id = ANY(%(ids)s)",
        {"lo": int(customer_ids.min()), "hi": int(customer_ids.max()), "ids": customer_ids.tolist()},
    )


# Changes recorded this long before the held lines were read count as since: a row stamped before the
# read began but committed after it (so invisible to the read) is not missed.
HELD_MARGIN = timedelta(minutes=10)


def changed_since_read(moment: datetime, customer_ids: LongArray) -> LongArray:
    """Which of these customers have orders created, or a ``suggestions`` grant recorded, since
    ``moment``: held lines lack those orders, and a customer who granted since was not read at all."""
    if len(customer_ids) == 0:
        return customer_ids
    params = {
        "moment": moment,
        "lo": int(customer_ids.min()),
        "hi": int(customer_ids.max()),
        "ids": customer_ids.tolist(),
        "purpose": PurposeCode.SUGGESTIONS,
    }
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT customer_id FROM sales_order
             WHERE created_at >= %(moment)s AND customer_id BETWEEN %(lo)s AND %(hi)s
               AND customer_id = ANY(%(ids)s)
            UNION
            SELECT customer_id FROM consent_consentevent
             WHERE customer_id = ANY(%(ids)s) AND purpose_id = %(purpose)s AND granted
               AND recorded_at >= %(moment)s
            """,
            params,
        )
        return np.array(sorted(row[0] for row in cursor.fetchall()), dtype=np.int64)


@dataclass(frozen=True)
class HeldLines:
    """Every consenting customer's lines, read once for a full run's fit and kept, sorted by customer,
    so that the run's batches in this process slice them instead of reading them again."""

    lines: Lines
    read_at: datetime
    """When the read began: orders created since are not in ``lines``."""

    @classmethod
    def of(cls, lines: Lines, read_at: datetime) -> "HeldLines":
        mine = np.flatnonzero(lines.customer_id > 0)  # guests' pseudo-customers are nobody's list
        order = mine[np.argsort(lines.customer_id[mine], kind="stable")]
        return cls(Lines(*(getattr(lines, f)[order] for f in Lines.__dataclass_fields__)), read_at)

    def slice(self, customer_ids: LongArray) -> Lines:
        """The held lines of these customers (a batch: ids close together, so one span is scanned)."""
        held = self.lines.customer_id
        if len(customer_ids) == 0:
            start = stop = 0
        else:
            start = int(np.searchsorted(held, customer_ids.min(), side="left"))
            stop = int(np.searchsorted(held, customer_ids.max(), side="right"))
        span = slice(start, stop)
        keep = np.isin(held[span], customer_ids)
        return Lines(*(getattr(self.lines, f)[span][keep] for f in Lines.__dataclass_fields__))


def to_interactions(lines: Lines, items: ItemIndex, customer_ids: LongArray) -> Interactions:
    """Engine rows for ``customer_ids`` (customer index = position in that array); lines of other
    customers or of products the index does not hold are dropped."""
    order = np.argsort(customer_ids, kind="stable")
    at = np.searchsorted(customer_ids[order], lines.customer_id)
    at = np.minimum(at, max(len(customer_ids) - 1, 0))
    known = (
        (customer_ids[order][at] == lines.customer_id)
        if len(customer_ids)
        else np.zeros(len(lines.customer_id), bool)
    )
    item = items.items_of(lines.product_id)
    keep = known & (item >= 0)
    return Interactions(
        customer=order[at[keep]].astype(np.int32),
        item=item[keep],
        day=lines.day[keep],
        quantity=lines.quantity[keep],
        basket=lines.basket[keep],
        n_customers=len(customer_ids),
        n_items=len(items.product_ids),
    )


# --- customers -----------------------------------------------------------------------------------


def consenting_customer_ids(*, between: tuple[int, int] | None = None) -> LongArray:
    """Ids (ascending) of active customers who grant ``suggestions`` now, optionally in [lo, hi]."""
    queryset = Customer.objects.active().consenting(PurposeCode.SUGGESTIONS)
    if between is not None:
        queryset = queryset.filter(pk__gte=between[0], pk__lte=between[1])
    return np.fromiter(queryset.order_by("pk").values_list("pk", flat=True), dtype=np.int64)


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
    replenishable = np.zeros(n, dtype=bool)
    suggestable = np.zeros(n, dtype=bool)
    new_since = np.full(n, math.nan)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT p.id, p.category_id, coalesce(p.brand_id, -1), c.is_sensitive, p.replenishable,
                   p.is_active, p.created_at,
                   (SELECT v.colour FROM catalog_productvariant v
                     WHERE v.product_id = p.id AND v.colour <> ''
                     GROUP BY v.colour ORDER BY count(*) DESC, v.colour LIMIT 1)
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
        replenishable[pick] = np.array([r[4] for r in rows], dtype=bool)[ok]
        suggestable[pick] = np.array([r[5] for r in rows], dtype=bool)[ok]
        new_since[pick] = np.array([day_of(r[6]) for r in rows])[ok]
        colour[pick] = np.array([code_of("colour", r[7]) if r[7] else -1 for r in rows], dtype=np.int32)[ok]
    in_stock, stock = _stock(items)
    return Catalogue(
        category=category,
        brand=brand,
        colour=colour,
        sensitive=sensitive,
        replenishable=replenishable,
        suggestable=suggestable & ~sensitive,
        new_since=new_since,
        in_stock=in_stock,
        stock=stock,
    )


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
    # A suggestion she liked on the card counts as liking its brand.
    for customer_id, brand_id in (
        Feedback.objects.filter(customer_id__in=ids, kind=Feedback.Kind.LIKED, product__brand__isnull=False)
        .values_list("customer_id", "product__brand_id")
        .distinct()
    ):
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
