"""The store's inbox: its conversations with unread messages first, who answers each, done or not.

Reads (``inbox``, ``unread_count``) are scoped: a conversation of a customer the viewer may not see
(she withdrew, or is not of the viewer's stores) is listed as "a customer (details hidden)", with no
name and no preview. A preview of a message the sensitive-content check flagged is masked. Writes
(``mark_read``, ``mark_done``, ``assign``) are audited and take the conversation of a store the
viewer works in only.

A conversation's messages after ``last_read_at`` are unread; ``last_inbound_at`` (kept by
``outreach.inbound``) makes "has unread" one comparison on the conversation's row.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import BooleanField, Exists, ExpressionWrapper, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from accounts.models import User
from audit.services import record_event
from consent.selectors import customers_visible_to
from customers.models import Customer
from outreach.models import Conversation, InboundMessage
from stores.models import Store

PREVIEW_LENGTH = 90
SHOWS = ("mine", "queue", "all", "done")


@dataclass(frozen=True)
class InboxRow:
    conversation: Conversation  # the template reads its ids, status and assignee, never its customer
    customer: Customer | None  # None: a stranger, or a customer the viewer may not see
    stranger: bool  # a number nobody has
    visible: bool  # the viewer may see her (else: "a customer (details hidden)")
    unread: bool
    preview: str  # "" when hidden; masked when sensitive
    is_sensitive: bool
    last_at: datetime | None


def _unread() -> Q:
    return Q(last_inbound_at__isnull=False) & (
        Q(last_read_at__isnull=True) | Q(last_inbound_at__gt=F("last_read_at"))
    )


def _of_store(store: Store, viewer: User, show: str) -> QuerySet[Conversation]:
    conversations = Conversation.objects.filter(store=store)
    if show == "done":
        return conversations.filter(status=Conversation.Status.DONE)
    conversations = conversations.filter(status=Conversation.Status.OPEN)
    if show == "mine":  # hers to answer: hers, and the store's queue (as the top bar counts them)
        return conversations.filter(Q(assigned_to=viewer) | Q(assigned_to__isnull=True))
    if show == "queue":
        return conversations.filter(assigned_to__isnull=True)
    return conversations


def unread_count(store: Store | None, viewer: User) -> int:
    """Open conversations with unread messages that are hers to answer (hers, or the store's queue):
    the top bar's count. One query."""
    if store is None:
        return 0
    return (
        Conversation.objects.filter(store=store, status=Conversation.Status.OPEN)
        .filter(Q(assigned_to=viewer) | Q(assigned_to__isnull=True))
        .filter(_unread())
        .count()
    )


def news_since(store: Store | None, viewer: User, since: datetime) -> InboxRow | None:
    """The newest unread conversation hers to answer (hers, or the store's queue) that a message
    reached after ``since``: the top bar's notification, with the inbox's masking. One query."""
    if store is None:
        return None
    rows = inbox(store, viewer, show="mine", limit=1, after=since)
    return rows[0] if rows and rows[0].unread else None


def inbox(
    store: Store, viewer: User, *, show: str = "mine", limit: int = 100, after: datetime | None = None
) -> list[InboxRow]:
    """The store's conversations for ``show`` (mine, queue, all, done), unread first, then newest;
    ``after``: only those a message reached after that moment. One query whatever the list holds."""
    last = InboundMessage.objects.filter(store_id=OuterRef("store_id")).order_by("-received_at", "-pk")
    last = last.filter(
        Q(customer_id=OuterRef("customer_id"))
        | Q(customer__isnull=True, sender=OuterRef("sender"), store_id=OuterRef("store_id"))
    )
    conversations = _of_store(store, viewer, show if show in SHOWS else "mine")
    if after is not None:
        conversations = conversations.filter(last_inbound_at__gt=after)
    rows = (
        conversations.annotate(
            visible=Exists(customers_visible_to(viewer).filter(pk=OuterRef("customer_id"))),
            has_unread=ExpressionWrapper(_unread(), output_field=BooleanField()),
            last_body=Subquery(last.values("body")[:1]),
            last_sensitive=Subquery(last.values("is_sensitive")[:1]),
        )
        .select_related("customer", "assigned_to")
        .order_by(F("has_unread").desc(), F("last_inbound_at").desc(nulls_last=True), "-pk")[:limit]
    )
    return [_row(c) for c in rows]


def _row(conversation: Conversation) -> InboxRow:
    stranger = conversation.customer_id is None
    visible = stranger or bool(conversation.visible)  # type: ignore[attr-defined]
    sensitive = bool(conversation.last_sensitive)  # type: ignore[attr-defined]
    body = conversation.last_body or ""  # type: ignore[attr-defined]
    cut = body[:PREVIEW_LENGTH] + ("…" if len(body) > PREVIEW_LENGTH else "")
    return InboxRow(
        conversation=conversation,
        customer=conversation.customer if visible else None,
        stranger=stranger,
        visible=visible,
        unread=bool(conversation.has_unread),  # type: ignore[attr-defined]
        preview="" if not visible or sensitive else cut,
        is_sensitive=sensitive,
        last_at=conversation.last_inbound_at,
    )


def conversation_for(store_ids: list[int], conversation_id: int) -> Conversation | None:
    """A conversation of one of the viewer's stores, or None."""
    return Conversation.objects.filter(pk=conversation_id, store_id__in=store_ids).first()


def _audit(by: User, conversation: Conversation, action: str, **detail: object) -> None:
    record_event(
        by=by,
        action=action,
        customer_id=conversation.customer_id,
        store_id=conversation.store_id,
        detail={"conversation_id": conversation.pk, **detail},
    )


@transaction.atomic
def mark_read(*, by: User, conversation: Conversation, now: datetime | None = None) -> None:
    """Everything received so far is read."""
    now = now or timezone.now()
    Conversation.objects.filter(pk=conversation.pk).update(last_read_at=now)
    _audit(by, conversation, "conversation.read")


@transaction.atomic
def read_on_card(*, by: User, customer_id: int, store_id: int, now: datetime | None = None) -> bool:
    """Her conversation with the store is read: an associate has her thread in front of her. Only a
    conversation with something unread changes (and is audited, as *Mark read* is); returns whether
    one did."""
    now = now or timezone.now()
    unread = (
        Conversation.objects.filter(customer_id=customer_id, store_id=store_id, last_inbound_at__isnull=False)
        .filter(Q(last_read_at__isnull=True) | Q(last_read_at__lt=F("last_inbound_at")))
        .first()
    )
    if unread is None:
        return False
    mark_read(by=by, conversation=unread, now=now)
    return True


@transaction.atomic
def mark_done(*, by: User, conversation: Conversation, now: datetime | None = None) -> None:
    """Answered, or nothing to answer: out of the open list (and read) until she writes again."""
    now = now or timezone.now()
    Conversation.objects.filter(pk=conversation.pk).update(status=Conversation.Status.DONE, last_read_at=now)
    _audit(by, conversation, "conversation.done")


@transaction.atomic
def assign(*, by: User, conversation: Conversation, to: User | None) -> None:
    """Give it to an associate of its store (``to``), or back to the store's queue (None)."""
    Conversation.objects.filter(pk=conversation.pk).update(assigned_to=to)
    _audit(by, conversation, "conversation.assigned", to=to.pk if to else None)
