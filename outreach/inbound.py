"""Messages customers send us: kept once, in her conversation with her store, under her consent.

``receive_message`` is the only writer of ``InboundMessage``. Whatever provider forwarded it (the
webhooks in ``integrations.inbound`` parse each provider's payload into an ``Incoming``), it:

- keeps it **once**: the same provider message delivered again (a retry, a replay) is the one row
  already there, and nothing else is done a second time;
- finds **whose** it is by the sender's number (or address): the profile holding it (identifiers
  are unique), if it stands for a person today (not erased, not merged away). A number nobody has
  makes no profile: it lands in the store's inbox as an unknown sender;
- finds **which store**: the one she was last messaged from, else her home store, else
  ``CONVERSATION_DEFAULT_STORE`` (there are no per-store sender numbers yet; the same store takes
  unknown senders);
- marks it **not to be answered** when she has not agreed to (or withdrew) that channel: kept for
  her, shown to staff with a notice, never answered there; STOP and its spellings still withdraw;
- runs the notes' **sensitive-content check** on it, so previews and notifications can mask it;
- records an audit event without the text.

All in one transaction: a failure leaves nothing half-written.
"""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.services import record_event
from consent.models import ConsentState
from customers.identifiers import InvalidIdentifier, normalise_email, normalise_phone
from customers.models import Customer, CustomerIdentifier, StoreRelationship
from outreach import optout
from outreach.models import CHANNEL_PURPOSE, Channel, Conversation, InboundMessage, Message
from relationships.sensitive import find_sensitive_topics
from stores.models import Store

BODY_MAX_LENGTH = 4000


class NoStoreForIt(RuntimeError):
    """There is no active store to put a message from an unknown sender in."""


@dataclass(frozen=True)
class Incoming:
    """One message as a provider forwarded it, already parsed from its payload."""

    provider: str  # "sms", "whatsapp": the adapter that parsed it
    provider_message_id: str
    channel: str
    sender: str  # as the provider wrote it
    body: str
    sent_at: datetime | None = None


@dataclass(frozen=True)
class Received:
    message: InboundMessage
    created: bool  # False: the provider had delivered it already
    withdrawn: int = 0  # profiles whose consent to the channel a STOP withdrew


def normalised_sender(channel: str, raw: str) -> str:
    """E.164 for a number, lower case for an address; raises ``InvalidIdentifier``."""
    return normalise_email(raw) if channel == Channel.EMAIL else normalise_phone(raw)


def _customer_of(channel: str, sender: str) -> Customer | None:
    kind = CustomerIdentifier.Kind.EMAIL if channel == Channel.EMAIL else CustomerIdentifier.Kind.PHONE
    holders = CustomerIdentifier.objects.filter(kind=kind, value=sender).values("customer_id")
    return Customer.objects.active().filter(pk__in=holders).order_by("-pk").first()


def default_store() -> Store:
    """Where messages with no other home go: ``CONVERSATION_DEFAULT_STORE``, else the oldest active
    store."""
    stores = Store.objects.filter(is_active=True)
    if settings.CONVERSATION_DEFAULT_STORE:
        stores = stores.filter(code=settings.CONVERSATION_DEFAULT_STORE)
    store = stores.order_by("pk").first()
    if store is None:
        raise NoStoreForIt("No active store takes messages from unknown senders.")
    return store


def store_for(customer: Customer | None) -> Store:
    """The store she was last messaged from, else her home store, else the default one."""
    if customer is not None:
        last = (
            Message.objects.filter(customer=customer, store__isnull=False, store__is_active=True)
            .order_by("-created_at", "-pk")
            .values_list("store_id", flat=True)
            .first()
        )
        store_id = last or customer.home_store_id
        if store_id is not None:
            return Store.objects.get(pk=store_id)
    return default_store()


def may_be_answered_on(customer: Customer, channel: str) -> bool:
    """She has agreed to this channel, now (a channel without a consent of its own: never)."""
    purpose = CHANNEL_PURPOSE.get(Channel(channel))
    return purpose is not None and (
        ConsentState.objects.filter(customer=customer, purpose_id=purpose, granted=True).exists()
    )


def _conversation(*, customer: Customer | None, store: Store, sender: str, at: datetime) -> Conversation:
    """Hers (or the unknown sender's) with the store, made when missing and open again when done."""
    if customer is not None:
        owner = (
            StoreRelationship.objects.filter(customer=customer, store=store)
            .values_list("assigned_associate_id", flat=True)
            .first()
        )
        conversation, _ = Conversation.objects.get_or_create(
            customer=customer, store=store, defaults={"assigned_to_id": owner, "created_at": at}
        )
    else:
        conversation, _ = Conversation.objects.get_or_create(
            customer=None, store=store, sender=sender, defaults={"created_at": at}
        )
    Conversation.objects.filter(pk=conversation.pk).update(
        status=Conversation.Status.OPEN, last_inbound_at=at
    )
    return conversation


@transaction.atomic
def receive_message(incoming: Incoming, *, now: datetime | None = None) -> Received:
    """Keep one message a provider forwarded (see the module docstring). Raises ``InvalidIdentifier``
    for a sender that is no number (or address), ``NoStoreForIt`` when no store can take it."""
    known = InboundMessage.objects.filter(
        provider=incoming.provider, provider_message_id=incoming.provider_message_id
    ).first()
    if known is not None:
        return Received(known, created=False)
    now = now or timezone.now()
    channel = Channel(incoming.channel)
    sender = normalised_sender(channel, incoming.sender)
    customer = _customer_of(channel, sender)
    store = store_for(customer)
    body = incoming.body.strip()[:BODY_MAX_LENGTH]
    opt_out = channel != Channel.EMAIL and optout.is_stop(body)
    try:
        with transaction.atomic():  # a savepoint: another delivery of it may be committing now
            message = InboundMessage.objects.create(
                store=store,
                customer=customer,
                sender=sender,
                channel=channel,
                provider=incoming.provider,
                provider_message_id=incoming.provider_message_id,
                body=body,
                sent_at=incoming.sent_at,
                received_at=now,
                is_sensitive=bool(find_sensitive_topics(body)),
                not_to_be_answered=opt_out
                or (customer is not None and not may_be_answered_on(customer, channel)),
                is_opt_out=opt_out,
            )
    except IntegrityError:
        known = InboundMessage.objects.get(
            provider=incoming.provider, provider_message_id=incoming.provider_message_id
        )
        return Received(known, created=False)
    conversation = _conversation(customer=customer, store=store, sender=sender, at=now)
    record_event(
        by=None,
        actor_kind="customer" if customer is not None else "system",
        action="message.received",
        customer_id=customer.pk if customer else None,
        store_id=store.pk,
        detail={
            "inbound_message_id": message.pk,
            "conversation_id": conversation.pk,
            "channel": channel.value,
            "sensitive": message.is_sensitive,
            "not_to_be_answered": message.not_to_be_answered,
        },
    )
    withdrawn = optout.handle_reply(sender=sender, text=body) if opt_out and channel == Channel.SMS else 0
    return Received(message, created=True, withdrawn=withdrawn)


__all__ = ["Incoming", "InvalidIdentifier", "NoStoreForIt", "Received", "receive_message"]
