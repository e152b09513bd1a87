"""One customer's history across channels as a single, paginated, privacy-safe timeline.

A page costs at most ten queries however long the history: one to pick the page's entries across
orders, returns, service episodes, consent receipts, notes, interactions and messages, then one or
two per kind to load them. What it returns is plain data, not model instances, and products from
sensitive categories never leave this module by name: they are counted under one neutral label
("1 private item"; by category only where the retailer chose it, ``SENSITIVE_MASK_BY_CATEGORY``).
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core import signing
from django.db import connection
from django.db.models import Prefetch, Subquery

from catalog.models import Category, Product
from consent.models import ConsentEvent
from customers.models import Customer
from outreach.models import Message
from relationships.models import Interaction, Note
from sales.models import Order, OrderLine, Return, ReturnLine, ServiceEpisode

PAGE_SIZE = 20


class InvalidCursor(ValueError):
    """The pagination cursor was not produced by this module (or was tampered with)."""


@dataclass(frozen=True)
class LineView:
    product_id: int
    name: str
    brand: str
    colour: str
    size: str
    quantity: int
    amount: Decimal


@dataclass(frozen=True)
class MaskedItems:
    label: str
    count: int

    def __str__(self) -> str:
        return f"{self.count} {self.label}{'' if self.count == 1 else 's'}"


@dataclass(frozen=True)
class TimelineEntry:
    kind: str  # "order", "return", "service", "consent", "note", "interaction" or "message"
    id: int
    at: datetime
    title: str
    channel: str = ""
    store_name: str = ""
    amount: Decimal | None = None
    currency: str = ""
    lines: tuple[LineView, ...] = ()
    masked: tuple[MaskedItems, ...] = ()
    detail: str = ""
    author: str = ""
    status: str = ""  # a message's, when it did not simply go


@dataclass(frozen=True)
class TimelinePage:
    entries: list[TimelineEntry] = field(default_factory=list)
    next_cursor: str | None = None


_SALT = "tablet.timeline"


def encode_cursor(at: datetime, kind: str, pk: int, *, key: str) -> str:
    """Where the next page starts, signed for ``key`` (her and the viewer), so only a page of hers
    drawn for this viewer can lead to the next one: a cursor cannot be made up, or passed on."""
    return signing.dumps([at.isoformat(), kind, pk], salt=f"{_SALT}:{key}", compress=False)


def decode_cursor(cursor: str, *, key: str) -> tuple[datetime, str, int]:
    try:
        at, kind, pk = signing.loads(
            cursor, salt=f"{_SALT}:{key}", max_age=timedelta(seconds=settings.SESSION_COOKIE_AGE)
        )
        when = datetime.fromisoformat(at)
        if when.tzinfo is None or kind not in _KINDS:
            raise ValueError
        return when, kind, int(pk)
    except (signing.BadSignature, ValueError, TypeError):
        raise InvalidCursor("This page link is not valid; reload the timeline.") from None


_KINDS = ("order", "return", "service", "consent", "note", "interaction", "message")

_PAGE_SQL = """
    SELECT kind, id, at FROM (
        SELECT 'order' AS kind, id, placed_at AS at FROM sales_order WHERE customer_id = %(c)s
        UNION ALL
        SELECT 'return', id, returned_at FROM sales_return WHERE customer_id = %(c)s
        UNION ALL
        SELECT 'service', id, opened_at FROM sales_serviceepisode WHERE customer_id = %(c)s
        UNION ALL
        SELECT 'consent', MIN(id), MIN(occurred_at) FROM consent_consentevent
        WHERE customer_id = %(c)s GROUP BY receipt_id
        UNION ALL
        SELECT 'note', id, created_at FROM relationships_note WHERE customer_id = %(c)s
        UNION ALL
        SELECT 'interaction', id, occurred_at FROM relationships_interaction i WHERE customer_id = %(c)s
           AND NOT EXISTS (SELECT 1 FROM outreach_message m WHERE m.interaction_id = i.id)
        UNION ALL
        SELECT 'message', id, created_at FROM outreach_message WHERE customer_id = %(c)s
    ) entries
    {where}
    ORDER BY at DESC, kind DESC, id DESC
    LIMIT %(limit)s
"""


def customer_timeline(
    customer: Customer, *, viewer: int | None = None, cursor: str | None = None, limit: int = PAGE_SIZE
) -> TimelinePage:
    """A page of ``customer``'s history, newest first; pass ``next_cursor`` back for the next page.
    Cursors are signed for her and ``viewer`` (the staff id): another's, or a made-up one, raises
    ``InvalidCursor``.

    The caller must have obtained ``customer`` through a scoped selector.
    """
    key = f"{customer.pk}:{viewer or ''}"
    params: dict[str, Any] = {"c": customer.pk, "limit": limit + 1}
    where = ""
    if cursor:
        params["at"], params["kind"], params["id"] = decode_cursor(cursor, key=key)
        where = "WHERE (at, kind, id) < (%(at)s, %(kind)s, %(id)s)"
    with connection.cursor() as db:
        db.execute(_PAGE_SQL.format(where=where), params)
        rows: list[tuple[str, int, datetime]] = db.fetchall()
    has_more = len(rows) > limit
    rows = rows[:limit]
    ids: dict[str, list[int]] = {kind: [] for kind in _KINDS}
    for kind, pk, _ in rows:
        ids[kind].append(pk)
    loaded: dict[tuple[str, int], TimelineEntry] = {}
    loaded.update(_load_orders(ids["order"]))
    loaded.update(_load_returns(ids["return"]))
    loaded.update(_load_services(ids["service"]))
    loaded.update(_load_consents(ids["consent"]))
    loaded.update(_load_notes(ids["note"]))
    loaded.update(_load_interactions(ids["interaction"]))
    loaded.update(_load_messages(ids["message"]))
    entries = [loaded[(kind, pk)] for kind, pk, _ in rows]
    next_cursor = encode_cursor(rows[-1][2], rows[-1][0], rows[-1][1], key=key) if has_more else None
    return TimelinePage(entries=entries, next_cursor=next_cursor)


def _mask(category: Category) -> str:
    """What staff see for a sensitive category's line: one neutral label for all (the category's own
    would tell which special category), unless the retailer chose labels by category."""
    return category.masked_as if settings.SENSITIVE_MASK_BY_CATEGORY else settings.SENSITIVE_MASK_LABEL


def _split_lines(
    lines: list[tuple[Product, str, str, int, Decimal]],
) -> tuple[tuple[LineView, ...], tuple[MaskedItems, ...]]:
    visible: list[LineView] = []
    masked: Counter[str] = Counter()
    for product, colour, size, quantity, amount in lines:
        if product.category.is_sensitive:
            masked[_mask(product.category)] += quantity
            continue
        visible.append(
            LineView(
                product_id=product.pk,
                name=product.name,
                brand=product.brand.name if product.brand else "",
                colour=colour,
                size=size,
                quantity=quantity,
                amount=amount,
            )
        )
    return tuple(visible), tuple(MaskedItems(label, count) for label, count in sorted(masked.items()))


_LINE_RELATED = ("product__category", "product__brand", "variant")


def _load_orders(ids: list[int]) -> dict[tuple[str, int], TimelineEntry]:
    if not ids:
        return {}
    orders = (
        Order.objects.filter(pk__in=ids)
        .select_related("store")
        .prefetch_related(Prefetch("lines", queryset=OrderLine.objects.select_related(*_LINE_RELATED)))
    )
    result = {}
    for order in orders:
        lines, masked = _split_lines(
            [
                (
                    line.product,
                    line.variant.colour if line.variant else "",
                    line.variant.size if line.variant else "",
                    line.quantity,
                    line.amount,
                )
                for line in order.lines.all()
            ]
        )
        result[("order", order.pk)] = TimelineEntry(
            kind="order",
            id=order.pk,
            at=order.placed_at,
            title=f"Bought {'in store' if order.channel == 'store' else 'on the ' + order.channel}",
            channel=order.channel,
            store_name=order.store.name if order.store else "",
            amount=order.total_amount,
            currency=order.currency,
            lines=lines,
            masked=masked,
        )
    return result


def _load_returns(ids: list[int]) -> dict[tuple[str, int], TimelineEntry]:
    if not ids:
        return {}
    returns = (
        Return.objects.filter(pk__in=ids)
        .select_related("store", "order")
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=ReturnLine.objects.select_related(*(f"order_line__{r}" for r in _LINE_RELATED)),
            )
        )
    )
    result = {}
    for record in returns:
        lines, masked = _split_lines(
            [
                (
                    line.order_line.product,
                    line.order_line.variant.colour if line.order_line.variant else "",
                    line.order_line.variant.size if line.order_line.variant else "",
                    line.quantity,
                    line.amount,
                )
                for line in record.lines.all()
            ]
        )
        result[("return", record.pk)] = TimelineEntry(
            kind="return",
            id=record.pk,
            at=record.returned_at,
            title="Returned",
            channel=record.channel,
            store_name=record.store.name if record.store else "",
            amount=record.refund_amount,
            currency=record.order.currency if record.order else "",
            lines=lines,
            masked=masked,
            detail=record.reason,
        )
    return result


def _load_services(ids: list[int]) -> dict[tuple[str, int], TimelineEntry]:
    if not ids:
        return {}
    episodes = ServiceEpisode.objects.filter(pk__in=ids).select_related("store", "product__category")
    result = {}
    for episode in episodes:
        sensitive = episode.product is not None and episode.product.category.is_sensitive
        result[("service", episode.pk)] = TimelineEntry(
            kind="service",
            id=episode.pk,
            at=episode.opened_at,
            title=episode.get_kind_display(),
            store_name=episode.store.name if episode.store else "",
            detail="" if sensitive else episode.summary,
            masked=(MaskedItems(_mask(episode.product.category), 1),)
            if sensitive and episode.product
            else (),
        )
    return result


def _load_consents(ids: list[int]) -> dict[tuple[str, int], TimelineEntry]:
    """``ids`` are the first event of each receipt; the entry lists every purpose on it."""
    if not ids:
        return {}
    events = (
        ConsentEvent.objects.filter(
            receipt_id__in=Subquery(ConsentEvent.objects.filter(pk__in=ids).values("receipt_id"))
        )
        .select_related("purpose", "store")
        .order_by("purpose__position", "pk")
    )
    by_receipt: dict[UUID, list[ConsentEvent]] = {}
    for event in events:
        by_receipt.setdefault(event.receipt_id, []).append(event)
    grouped = {min(e.pk for e in group): group for group in by_receipt.values()}
    result = {}
    for pk, group in grouped.items():
        first = group[0]
        result[("consent", pk)] = TimelineEntry(
            kind="consent",
            id=pk,
            at=min(e.occurred_at for e in group),
            title="Gave consent" if first.granted else "Withdrew consent",
            store_name=first.store.name if first.store else "",
            detail=", ".join(e.purpose.name for e in group),
            channel=first.method,
        )
    return result


def _load_notes(ids: list[int]) -> dict[tuple[str, int], TimelineEntry]:
    if not ids:
        return {}
    notes = Note.objects.filter(pk__in=ids).select_related("author", "store")
    return {
        ("note", note.pk): TimelineEntry(
            kind="note",
            id=note.pk,
            at=note.created_at,
            title="Note",
            store_name=note.store.name if note.store else "",
            detail=note.body,
            author=note.author.get_full_name() or note.author.get_username() if note.author else "",
        )
        for note in notes
    }


def _load_interactions(ids: list[int]) -> dict[tuple[str, int], TimelineEntry]:
    if not ids:
        return {}
    interactions = Interaction.objects.filter(pk__in=ids).select_related("associate", "store")
    return {
        ("interaction", item.pk): TimelineEntry(
            kind="interaction",
            id=item.pk,
            at=item.occurred_at,
            title=item.get_kind_display(),
            store_name=item.store.name if item.store else "",
            detail=item.summary,
            author=item.associate.get_full_name() or item.associate.get_username() if item.associate else "",
        )
        for item in interactions
    }


def _load_messages(ids: list[int]) -> dict[tuple[str, int], TimelineEntry]:
    """A message she was sent (or that was written to her and did not go, and why)."""
    if not ids:
        return {}
    messages = Message.objects.filter(pk__in=ids).select_related("sent_by", "store")
    result = {}
    for message in messages:
        verb = {"email": "E-mail", "sms": "Text"}.get(message.channel, "Message")
        status = ""
        if message.is_pending:
            local = message.send_after.astimezone(ZoneInfo(message.store.timezone)) if message.store else None
            status = f"{message.get_status_display()}; goes at {local or message.send_after:%a %d %b %H:%M}"
        elif message.status in (Message.Status.FAILED, Message.Status.CANCELLED):
            status = f"{message.get_status_display()}: {message.last_error}"
        subject = f"{message.subject}\n" if message.subject else ""
        result[("message", message.pk)] = TimelineEntry(
            kind="message",
            id=message.pk,
            at=message.created_at,
            title=f"{verb} · {message.get_use_display()}",
            channel=message.channel,
            store_name=message.store.name if message.store else "",
            detail=f"{subject}{message.body}",
            author=message.sent_by.get_full_name() or message.sent_by.get_username()
            if message.sent_by
            else "",
            status=status,
        )
    return result
