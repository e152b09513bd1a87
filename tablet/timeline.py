"""One customer's history across channels as a single, paginated, privacy-safe timeline.

A page costs one query however long the history: it picks the page's entries across orders,
returns, service episodes, consent receipts, notes, interactions and messages, and builds each one's
detail (an order's lines, a receipt's purposes...) as JSON in the same statement. What it returns
is plain data, not model instances, and products from
sensitive categories never leave this module by name: they are counted under one neutral label
("1 private item"; by category only where the retailer chose it, ``SENSITIVE_MASK_BY_CATEGORY``).
"""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core import signing
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from common import prepared
from consent.purposes import choice_text
from customers.models import Customer
from outreach.models import Message, Use
from relationships.models import Interaction
from sales.models import ServiceEpisode

PAGE_SIZE = 20
DEFAULT_MASK_LABEL = "private item"  # settings.SENSITIVE_MASK_LABEL's default, which staff read translated


class InvalidCursor(ValueError):
    """The pagination cursor was not produced by this module (or was tampered with)."""


@dataclass(frozen=True)
class LineView:
    product_id: int
    name: str
    brand: str
    image_url: str
    colour: str
    size: str
    quantity: int
    amount: Decimal


@dataclass(frozen=True)
class MaskedItems:
    label: str
    count: int

    def __str__(self) -> str:
        if self.label == DEFAULT_MASK_LABEL:
            return ngettext("%(n)s private item", "%(n)s private items", self.count) % {"n": self.count}
        # A label the retailer chose (a setting, or a category's) is shown in its own words.
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
    went_wrong: bool = False  # the message failed, or was not sent


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
        raise InvalidCursor(_("This page link is not valid; reload the timeline.")) from None


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


# Each picked entry's detail, built in the same statement as one JSON object (``CASE`` evaluates
# only its kind's branch). Lines carry their category's sensitivity and mask, for ``_split_lines``.
_LINE = """jsonb_build_object(
            'product_id', pr.id, 'name', pr.name, 'brand', coalesce(b.name, ''), 'image', pr.image_url,
            'colour', coalesce(v.colour, ''), 'size', coalesce(v.size, ''),
            'quantity', {quantity}, 'amount', {amount}::text,
            'sensitive', c.is_sensitive, 'masked_as', c.masked_as)"""
_LINE_JOINS = """JOIN catalog_product pr ON pr.id = l.product_id
          JOIN catalog_category c ON c.id = pr.category_id
          LEFT JOIN catalog_brand b ON b.id = pr.brand_id
          LEFT JOIN catalog_productvariant v ON v.id = l.variant_id"""
_PERSON = "'first', u.first_name, 'last', u.last_name, 'username', u.username"

_DETAIL_SQL = f"""
    SELECT p.kind, p.id, p.at, CASE p.kind
    WHEN 'order' THEN (
        SELECT jsonb_build_object(
            'channel', o.channel, 'store', s.name, 'amount', o.total_amount::text, 'currency', o.currency,
            'lines', (SELECT jsonb_agg({_LINE.format(quantity="l.quantity", amount="l.amount")}
                                       ORDER BY l.line_number, l.id)
                        FROM sales_orderline l {_LINE_JOINS} WHERE l.order_id = o.id))
          FROM sales_order o LEFT JOIN stores_store s ON s.id = o.store_id WHERE o.id = p.id)
    WHEN 'return' THEN (
        SELECT jsonb_build_object(
            'channel', r.channel, 'store', s.name, 'amount', r.refund_amount::text,
            'currency', coalesce(o.currency, ''), 'reason', r.reason,
            'lines', (SELECT jsonb_agg({_LINE.format(quantity="rl.quantity", amount="rl.amount")}
                                       ORDER BY rl.id)
                        FROM sales_returnline rl JOIN sales_orderline l ON l.id = rl.order_line_id
                        {_LINE_JOINS} WHERE rl.return_record_id = r.id))
          FROM sales_return r LEFT JOIN stores_store s ON s.id = r.store_id
          LEFT JOIN sales_order o ON o.id = r.order_id WHERE r.id = p.id)
    WHEN 'service' THEN (
        SELECT jsonb_build_object(
            'kind', e.kind, 'store', s.name, 'summary', e.summary,
            'sensitive', coalesce(c.is_sensitive, false), 'masked_as', c.masked_as)
          FROM sales_serviceepisode e LEFT JOIN stores_store s ON s.id = e.store_id
          LEFT JOIN catalog_product pr ON pr.id = e.product_id
          LEFT JOIN catalog_category c ON c.id = pr.category_id WHERE e.id = p.id)
    WHEN 'consent' THEN (
        SELECT jsonb_agg(jsonb_build_object(
                   'granted', e.granted, 'method', e.method, 'store', s.name, 'purpose', pu.name,
                   'code', pu.code)
                   ORDER BY pu.position, e.id)
          FROM consent_consentevent e JOIN consent_purpose pu ON pu.code = e.purpose_id
          LEFT JOIN stores_store s ON s.id = e.store_id
         WHERE e.receipt_id = (SELECT f.receipt_id FROM consent_consentevent f WHERE f.id = p.id))
    WHEN 'note' THEN (
        SELECT jsonb_build_object('store', s.name, 'body', n.body, {_PERSON})
          FROM relationships_note n LEFT JOIN stores_store s ON s.id = n.store_id
          LEFT JOIN accounts_user u ON u.id = n.author_id WHERE n.id = p.id)
    WHEN 'interaction' THEN (
        SELECT jsonb_build_object('kind', i.kind, 'store', s.name, 'summary', i.summary, {_PERSON})
          FROM relationships_interaction i LEFT JOIN stores_store s ON s.id = i.store_id
          LEFT JOIN accounts_user u ON u.id = i.associate_id WHERE i.id = p.id)
    WHEN 'message' THEN (
        SELECT jsonb_build_object(
            'channel', m.channel, 'use', m.use, 'status', m.status, 'subject', m.subject, 'body', m.body,
            'last_error', m.last_error, 'send_after', m.send_after::text, 'store', s.name,
            'timezone', s.timezone, {_PERSON})
          FROM outreach_message m LEFT JOIN stores_store s ON s.id = m.store_id
          LEFT JOIN accounts_user u ON u.id = m.sent_by_id WHERE m.id = p.id)
    END AS detail
    FROM ({_PAGE_SQL}) p
    ORDER BY p.at DESC, p.kind DESC, p.id DESC
"""  # noqa: S608 (no value is formatted in: only this module's own fragments)


def customer_timeline(
    customer: Customer, *, viewer: int | None = None, cursor: str | None = None, limit: int = PAGE_SIZE
) -> TimelinePage:
    """A page of ``customer``'s history, newest first; pass ``next_cursor`` back for the next page.
    Cursors are signed for her and ``viewer`` (the staff id): another's, or a made-up one, raises
    ``InvalidCursor``. One query, whatever the page holds.

    The caller must have obtained ``customer`` through a scoped selector.
    """
    key = f"{customer.pk}:{viewer or ''}"
    params: dict[str, Any] = {"c": customer.pk, "limit": limit + 1}
    where = ""
    if cursor:
        params["at"], params["kind"], params["id"] = decode_cursor(cursor, key=key)
        where = "WHERE (at, kind, id) < (%(at)s, %(kind)s, %(id)s)"
    rows = prepared.fetch_all(_DETAIL_SQL.replace("{where}", where), params)
    has_more = len(rows) > limit
    rows = rows[:limit]
    entries = [_ENTRY[kind](pk, at, prepared.json_value(detail)) for kind, pk, at, detail in rows]
    next_cursor = encode_cursor(rows[-1][2], rows[-1][0], rows[-1][1], key=key) if has_more else None
    return TimelinePage(entries=entries, next_cursor=next_cursor)


def _mask(masked_as: str) -> str:
    """What staff see for a sensitive category's line: one neutral label for all (the category's own
    would tell which special category), unless the retailer chose labels by category."""
    return masked_as if settings.SENSITIVE_MASK_BY_CATEGORY else settings.SENSITIVE_MASK_LABEL


def _split_lines(lines: list[dict[str, Any]] | None) -> tuple[tuple[LineView, ...], tuple[MaskedItems, ...]]:
    visible: list[LineView] = []
    masked: Counter[str] = Counter()
    for line in lines or []:
        if line["sensitive"]:
            masked[_mask(line["masked_as"])] += line["quantity"]
            continue
        visible.append(
            LineView(
                product_id=line["product_id"],
                name=line["name"],
                brand=line["brand"],
                image_url=line["image"],
                colour=line["colour"],
                size=line["size"],
                quantity=line["quantity"],
                amount=Decimal(line["amount"]),
            )
        )
    return tuple(visible), tuple(MaskedItems(label, count) for label, count in sorted(masked.items()))


def _name(row: dict[str, Any]) -> str:
    """A staff member's full name, else the name she signs in with ("" when there is none)."""
    full = f"{row.get('first') or ''} {row.get('last') or ''}".strip()
    return full or row.get("username") or ""


def _bought(channel: str) -> str:
    """Where she bought: in store, on the web, on the app."""
    match channel:
        case "store":
            return _("Bought in store")
        case "web":
            return _("Bought on the web")
        case "app":
            return _("Bought on the app")
        case _:
            return _("Bought on the %(channel)s") % {"channel": channel}


def _order(pk: int, at: datetime, row: dict[str, Any]) -> TimelineEntry:
    lines, masked = _split_lines(row["lines"])
    channel = row["channel"]
    return TimelineEntry(
        kind="order",
        id=pk,
        at=at,
        title=_bought(channel),
        channel=channel,
        store_name=row["store"] or "",
        amount=Decimal(row["amount"]),
        currency=row["currency"],
        lines=lines,
        masked=masked,
    )


def _return(pk: int, at: datetime, row: dict[str, Any]) -> TimelineEntry:
    lines, masked = _split_lines(row["lines"])
    return TimelineEntry(
        kind="return",
        id=pk,
        at=at,
        title=_("Returned"),
        channel=row["channel"],
        store_name=row["store"] or "",
        amount=Decimal(row["amount"]),
        currency=row["currency"],
        lines=lines,
        masked=masked,
        detail=row["reason"],
    )


def _service(pk: int, at: datetime, row: dict[str, Any]) -> TimelineEntry:
    sensitive = bool(row["sensitive"])
    return TimelineEntry(
        kind="service",
        id=pk,
        at=at,
        title=str(ServiceEpisode.Kind(row["kind"]).label),
        store_name=row["store"] or "",
        detail="" if sensitive else row["summary"],
        masked=(MaskedItems(_mask(row["masked_as"]), 1),) if sensitive else (),
    )


def _consent(pk: int, at: datetime, events: list[dict[str, Any]]) -> TimelineEntry:
    """One receipt: every purpose on it (``pk`` is its first event, ``at`` its earliest time)."""
    first = events[0]
    return TimelineEntry(
        kind="consent",
        id=pk,
        at=at,
        title=_("Gave consent") if first["granted"] else _("Withdrew consent"),
        store_name=first["store"] or "",
        detail=", ".join(choice_text(event["code"], event["purpose"])[0] for event in events),
        channel=first["method"],
    )


def _note(pk: int, at: datetime, row: dict[str, Any]) -> TimelineEntry:
    return TimelineEntry(
        kind="note",
        id=pk,
        at=at,
        title=_("Note"),
        store_name=row["store"] or "",
        detail=row["body"],
        author=_name(row),
    )


def _interaction(pk: int, at: datetime, row: dict[str, Any]) -> TimelineEntry:
    return TimelineEntry(
        kind="interaction",
        id=pk,
        at=at,
        title=str(Interaction.Kind(row["kind"]).label),
        store_name=row["store"] or "",
        detail=row["summary"],
        author=_name(row),
    )


def _message(pk: int, at: datetime, row: dict[str, Any]) -> TimelineEntry:
    """A message she was sent (or that was written to her and did not go, and why)."""
    verb = {"email": _("E-mail"), "sms": _("Text")}.get(row["channel"], _("Message"))
    state = Message.Status(row["status"])
    status = ""
    went_wrong = state in (Message.Status.FAILED, Message.Status.CANCELLED)
    if state in (Message.Status.QUEUED, Message.Status.RETRYING):
        goes = datetime.fromisoformat(row["send_after"])
        local = goes.astimezone(ZoneInfo(row["timezone"])) if row["timezone"] else goes
        status = _("%(status)s; goes at %(when)s") % {
            "status": state.label,
            "when": formats.date_format(local, "D d M H:i"),
        }
    elif went_wrong:
        status = f"{state.label}: {row['last_error']}"
    subject = f"{row['subject']}\n" if row["subject"] else ""
    return TimelineEntry(
        kind="message",
        id=pk,
        at=at,
        title=f"{verb} · {Use(row['use']).label}",
        channel=row["channel"],
        store_name=row["store"] or "",
        detail=f"{subject}{row['body']}",
        author=_name(row),
        status=status,
        went_wrong=went_wrong,
    )


_ENTRY: dict[str, Callable[[int, datetime, Any], TimelineEntry]] = {
    "order": _order,
    "return": _return,
    "service": _service,
    "consent": _consent,
    "note": _note,
    "interaction": _interaction,
    "message": _message,
}
