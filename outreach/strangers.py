"""Unknown senders: what a number (or address) nobody has sent the store, and linking it to her.

A message from a number no profile holds lands in the store's inbox as a conversation of the store
with that sender, and makes no profile (``outreach.inbound``). Staff who recognise her ("it's Mrs
Patel, she has a new phone") link the conversation to her profile:

- only to a customer the linker may see (a scoped selector found her: she consents to a profile, and
  is of the linker's stores), and only a conversation of a store the linker works in (the view's
  part);
- the sender's messages move to her conversation with the store (one is made, or they join hers),
  each marked "do not answer here" unless she agreed to the channel it came on;
- the number is added to her profile if the linker says so (audited as any identifier added), so
  her next message finds her; a number another profile holds is refused, and nothing is linked;
- one audit event says who linked what and how many messages moved, never the number or the texts.

What nobody linked is kept ``RETENTION_UNKNOWN_SENDER_DAYS`` (``delete_old_messages``, nightly).
"""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Case, Exists, Max, OuterRef, Q, QuerySet, Value, When
from django.utils.translation import gettext as _

from accounts.models import User
from audit.services import record_event
from customers.identifiers import InvalidIdentifier
from customers.models import Customer, CustomerIdentifier, StoreRelationship
from customers.services.profiles import IdentifierInUse, NewIdentifier, add_identifier
from outreach import rules
from outreach.models import Channel, Conversation, InboundMessage

STRANGER_THREAD_LENGTH = 50


class CannotLink(Exception):
    """Why the conversation cannot be linked, in words for the associate."""


@dataclass(frozen=True)
class Linked:
    conversation: Conversation  # hers with the store now
    moved: int  # messages that moved to her
    number_saved: bool


def messages_of(conversation: Conversation) -> QuerySet[InboundMessage]:
    """What the unknown sender of ``conversation`` sent its store."""
    return InboundMessage.objects.filter(
        store_id=conversation.store_id, sender=conversation.sender, customer__isnull=True
    )


def stranger_thread(conversation: Conversation) -> list[InboundMessage]:
    """The unknown sender's latest messages to the store, oldest first (none for a customer's)."""
    if conversation.customer_id is not None:
        return []
    latest = messages_of(conversation).order_by("-received_at", "-pk")[:STRANGER_THREAD_LENGTH]
    return list(reversed(latest))


def _identifier_kind(conversation: Conversation) -> str:
    channel = messages_of(conversation).values_list("channel", flat=True).first()
    return CustomerIdentifier.Kind.EMAIL if channel == Channel.EMAIL else CustomerIdentifier.Kind.PHONE


@transaction.atomic
def link_sender(
    *,
    by: User,
    conversation: Conversation,
    customer: Customer,
    save_number: bool,
) -> Linked:
    """Make the unknown sender of ``conversation`` her (see the module docstring). ``customer``: one a
    scoped selector returned for ``by``. Raises ``CannotLink``."""
    stranger = Conversation.objects.select_for_update().filter(pk=conversation.pk).first()
    if stranger is None or stranger.customer_id is not None:
        raise CannotLink(_("This conversation is already linked to a customer."))
    number_saved = False
    if save_number:
        kind = _identifier_kind(stranger)
        if not customer.identifiers.filter(kind=kind, value=stranger.sender).exists():
            try:
                add_identifier(by=by, customer=customer, new=NewIdentifier(kind=kind, value=stranger.sender))
            except IdentifierInUse:
                raise CannotLink(
                    _("Another customer's profile holds this number: it cannot be added to hers.")
                ) from None
            except InvalidIdentifier as error:
                raise CannotLink(
                    _("%(why)s It cannot be kept on a profile: link without adding it.") % {"why": error}
                ) from None
            number_saved = True
    answerable = rules.consented_channels(customer)
    moved = messages_of(stranger).update(
        customer=customer,
        not_to_be_answered=Case(
            When(Q(is_opt_out=True) | ~Q(channel__in=answerable), then=Value(True)), default=Value(False)
        ),
    )
    hers = (
        Conversation.objects.select_for_update().filter(customer=customer, store_id=stranger.store_id).first()
    )
    if hers is None:
        stranger.customer = customer
        stranger.sender = ""
        if stranger.assigned_to_id is None:
            stranger.assigned_to_id = (
                StoreRelationship.objects.filter(customer=customer, store_id=stranger.store_id)
                .values_list("assigned_associate_id", flat=True)
                .first()
            )
        stranger.save(update_fields=["customer", "sender", "assigned_to"])
        hers = stranger
    else:
        latest = InboundMessage.objects.filter(customer=customer, store_id=hers.store_id).aggregate(
            at=Max("received_at")
        )["at"]
        hers.last_inbound_at = latest
        hers.status = Conversation.Status.OPEN
        # Unread stays unread: her read mark goes back to the earlier of the two (None: none read).
        if hers.last_read_at is not None and (
            stranger.last_read_at is None or stranger.last_read_at < hers.last_read_at
        ):
            hers.last_read_at = stranger.last_read_at
        if hers.assigned_to_id is None:
            hers.assigned_to_id = stranger.assigned_to_id
        hers.save(update_fields=["last_inbound_at", "last_read_at", "status", "assigned_to"])
        stranger.delete()
    record_event(
        by=by,
        action="conversation.linked",
        customer_id=customer.pk,
        store_id=hers.store_id,
        detail={"conversation_id": hers.pk, "messages": moved, "number_saved": number_saved},
    )
    return Linked(conversation=hers, moved=moved, number_saved=number_saved)


@transaction.atomic
def delete_old_messages(*, received_before: datetime) -> int:
    """Retention (``RETENTION_UNKNOWN_SENDER_DAYS``, nightly through ``privacy.retention``): what unknown
    senders wrote before ``received_before`` is deleted, and their conversations left empty with it;
    one audit event with the count. Messages linked to a customer are hers, kept as her data is."""
    deleted, _per_model = InboundMessage.objects.filter(
        customer__isnull=True, received_at__lt=received_before
    ).delete()
    empty = Conversation.objects.filter(customer__isnull=True).exclude(
        Exists(
            InboundMessage.objects.filter(
                customer__isnull=True, store_id=OuterRef("store_id"), sender=OuterRef("sender")
            )
        )
    )
    conversations, _per_model = empty.delete()
    record_event(
        by=None,
        action="retention.unknown_senders_deleted",
        detail={
            "messages": deleted,
            "conversations": conversations,
            "received_before": received_before.isoformat(),
            "days": settings.RETENTION_UNKNOWN_SENDER_DAYS,
        },
    )
    return deleted
