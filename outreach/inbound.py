"""Messages customers send us: kept once, in her conversation with her store, under her consent.

``receive_message`` is the only writer of ``InboundMessage``. Whatever provider forwarded it (the
webhooks in ``integrations.inbound`` parse each provider's payload into an ``Incoming``), it:

- keeps it **once**: the same provider message delivered again (a retry, a replay) is the one row
  already there, and nothing else is done a second time;
- finds **whose** it is: an e-mail sent to the reply address of one of ours
  (``outreach.reply_address``) is hers, in that store's conversation, whatever address it came from
  (the profile she was merged into if she was; an erased profile or a token we did not make count
  as no token, so a forged one can never put a message in someone else's thread). Otherwise, by the
  sender's number (or address): the profile holding it (identifiers are unique), if it stands for a
  person today (not erased, not merged away). A number nobody has makes no profile: it lands in the
  store's inbox as an unknown sender;
- finds **which store**: the store whose own number a text was sent to (``Store.sms_number``, when
  the provider says which number), or the reply address's (if still active); else the one she was
  last messaged from, else her home store; a stranger's, else ``CONVERSATION_DEFAULT_STORE``;
- marks it **not to be answered** when she has not agreed to (or withdrew) that channel: kept for
  her, shown to staff with a notice, never answered there; STOP and its spellings withdraw that
  channel (a text, or WhatsApp; an e-mail's way out is the unsubscribe link in every e-mail we send);
- runs the notes' **sensitive-content check** on it, so previews and notifications can mask it;
- records an audit event without the text.

All in one transaction: a failure leaves nothing half-written.
"""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from audit.services import record_event
from customers.identifiers import InvalidIdentifier, normalise_email, normalise_phone_as_sent
from customers.models import CustomerIdentifier
from outreach import optout, reply_address
from outreach.models import CHANNEL_PURPOSE, Channel, InboundMessage
from relationships.sensitive import find_sensitive_topics
from stores.models import Store

BODY_MAX_LENGTH = 4000
SUBJECT_MAX_LENGTH = 200


class NoStoreForIt(RuntimeError):
    """There is no active store to put a message from an unknown sender in."""


@dataclass(frozen=True)
class Incoming:
    """One message as a provider forwarded it, already parsed from its payload."""

    provider: str  # "sms", "whatsapp", "email": the adapter that parsed it
    provider_message_id: str
    channel: str
    sender: str  # as the provider wrote it
    body: str  # her new text only (an e-mail's quoted thread and signature already taken off)
    sent_at: datetime | None = None
    subject: str = ""  # an e-mail's
    # The token of the reply address an e-mail was sent to, as found there: not yet checked.
    reply_token: str = ""
    # The number a text was sent to, as the provider wrote it: a store's own number takes it.
    to: str = ""


@dataclass(frozen=True)
class Received:
    message: InboundMessage
    created: bool  # False: the provider had delivered it already
    withdrawn: int = 0  # profiles whose consent to the channel a STOP withdrew


def normalised_sender(channel: str, raw: str) -> str:
    """E.164 for a number, lower case for an address; raises ``InvalidIdentifier``."""
    return normalise_email(raw) if channel == Channel.EMAIL else normalise_phone_as_sent(raw)


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


# Hers (or the unknown sender's) with the store, made when missing (assigned to her associate at the
# store, else the store's queue) and open again when done: one statement, whoever else writes it.
_CONVERSATION = """
    INSERT INTO outreach_conversation (store_id, customer_id, sender, assigned_to_id, status, last_read_at,
                                       last_inbound_at, created_at)
    VALUES (%(store)s, %(customer)s, %(sender)s,
            (SELECT assigned_associate_id FROM customers_storerelationship
              WHERE customer_id = %(customer)s AND store_id = %(store)s),
            'open', NULL, %(at)s, %(at)s)
    ON CONFLICT {target} DO UPDATE SET status = 'open', last_inbound_at = EXCLUDED.last_inbound_at
    RETURNING id"""
_HERS = "(customer_id, store_id) WHERE customer_id IS NOT NULL"
_UNKNOWN_SENDERS = "(store_id, sender) WHERE customer_id IS NULL"

# Kept once: another delivery of it, even one committing at this moment, keeps nothing (it waits on
# this key and then finds the row taken).
_KEEP = """
    INSERT INTO outreach_inboundmessage (public_id, store_id, customer_id, sender, channel, provider,
                                         provider_message_id, subject, body, sent_at, received_at,
                                         is_sensitive, not_to_be_answered, is_opt_out)
    VALUES (%(public_id)s, %(store_id)s, %(customer_id)s, %(sender)s, %(channel)s, %(provider)s,
            %(provider_message_id)s, %(subject)s, %(body)s, %(sent_at)s, %(received_at)s, %(is_sensitive)s,
            %(not_to_be_answered)s, %(is_opt_out)s)
    ON CONFLICT (provider, provider_message_id) DO NOTHING
    RETURNING id"""


@dataclass(frozen=True)
class _Whose:
    customer_id: int | None
    store_id: int | None  # the store she was last messaged from, else her home store
    may_be_answered: bool  # she has agreed to the channel it came on


# The store customer c was last messaged from (an active one), and whether she agreed to the channel.
_LAST_STORE = """(SELECT m.store_id FROM outreach_message m JOIN stores_store s ON s.id = m.store_id
                   WHERE m.customer_id = c.id AND s.is_active
                   ORDER BY m.created_at DESC, m.id DESC LIMIT 1)"""
_AGREED = """EXISTS (SELECT 1 FROM consent_consentstate cs
                      WHERE cs.customer_id = c.id AND cs.purpose_id = %(purpose)s AND cs.granted)"""

# Whose the number (or address) is: the newest profile holding it that stands for a person today (not
# erased, not merged away); the store she was last messaged from, else her home store; and whether
# she has agreed to the channel. Written out rather than built by the ORM at each message: a
# provider's burst spends its time here.
_WHOSE = f"""
    SELECT c.id, coalesce({_LAST_STORE}, c.home_store_id), {_AGREED}
      FROM customers_customer c
     WHERE c.id IN (SELECT i.customer_id FROM customers_customeridentifier i
                     WHERE i.kind = %(kind)s AND i.value = %(value)s)
       AND c.erased_at IS NULL AND c.merged_into_id IS NULL
     ORDER BY c.id DESC
     LIMIT 1"""  # noqa: S608 - fixed pieces

# The profile a reply address names, followed through merges to the one that stands for her today
# (none if that one is erased); the address's store while it is active, else as above.
_NAMED = f"""
    WITH RECURSIVE chain (id, merged_into_id, hops) AS (
        SELECT id, merged_into_id, 0 FROM customers_customer WHERE public_id = %(public_id)s
        UNION ALL
        SELECT n.id, n.merged_into_id, chain.hops + 1
          FROM customers_customer n JOIN chain ON n.id = chain.merged_into_id
         WHERE chain.hops < 20
    )
    SELECT c.id,
           coalesce((SELECT s.id FROM stores_store s WHERE s.id = %(store)s AND s.is_active),
                    {_LAST_STORE}, c.home_store_id),
           {_AGREED}
      FROM customers_customer c
     WHERE c.id IN (SELECT id FROM chain)
       AND c.erased_at IS NULL AND c.merged_into_id IS NULL"""  # noqa: S608 - fixed pieces


def _whose(channel: Channel, sender: str) -> _Whose:
    """The profile holding the number (or address), where her messages go and whether the channel
    is hers to be answered on: one query (``Customer.objects.active()``'s rule, written out)."""
    kind = CustomerIdentifier.Kind.EMAIL if channel == Channel.EMAIL else CustomerIdentifier.Kind.PHONE
    purpose = CHANNEL_PURPOSE.get(channel)
    with connection.cursor() as cursor:
        cursor.execute(_WHOSE, {"purpose": purpose, "kind": kind.value, "value": sender})
        row = cursor.fetchone()
    if row is None:
        return _Whose(None, None, False)
    return _Whose(row[0], row[1], purpose is not None and bool(row[2]))


def _whose_named(channel: Channel, named: reply_address.Named) -> _Whose | None:
    """Hers whom a reply address names, where it goes and whether the channel is hers to be answered
    on, in one query; None when she no longer stands for a person (erased)."""
    purpose = CHANNEL_PURPOSE.get(channel)
    with connection.cursor() as cursor:
        cursor.execute(
            _NAMED, {"purpose": purpose, "public_id": named.customer_public_id, "store": named.store_id}
        )
        row = cursor.fetchone()
    if row is None:
        return None
    return _Whose(row[0], row[1], purpose is not None and bool(row[2]))


def _store_numbered(to: str) -> int | None:
    """The active store whose own number a text was sent to (``Store.sms_number``), if any: one
    query, only when the provider says which number it was."""
    try:
        number = normalise_phone_as_sent(to) if to else ""
    except InvalidIdentifier:
        return None
    if not number:
        return None
    return Store.objects.filter(sms_number=number, is_active=True).values_list("pk", flat=True).first()


# Within a webhook's transaction no savepoint of its own: a failure undoes the whole call anyway.
@transaction.atomic(savepoint=False)
def receive_message(incoming: Incoming, *, now: datetime | None = None) -> Received:
    """Keep one message a provider forwarded (see the module docstring). Raises ``InvalidIdentifier``
    for a sender that is no number (or address), ``NoStoreForIt`` when no store can take it.

    Five statements in the usual case (whose it is, the message, the conversation, the audit event,
    and the transaction's ends): a provider's burst is taken as it comes."""
    now = now or timezone.now()
    channel = Channel(incoming.channel)
    sender = normalised_sender(channel, incoming.sender)
    named = reply_address.conversation_named(incoming.reply_token) if incoming.reply_token else None
    by_address = _whose_named(channel, named) if named is not None else None
    whose = by_address or _whose(channel, sender)
    store_id = _store_numbered(incoming.to) or whose.store_id or default_store().pk
    subject = incoming.subject.strip()[:SUBJECT_MAX_LENGTH]
    body = incoming.body.strip()[:BODY_MAX_LENGTH]
    opt_out = channel != Channel.EMAIL and optout.is_stop(body)
    message = InboundMessage(
        store_id=store_id,
        customer_id=whose.customer_id,
        sender=sender,
        channel=channel,
        provider=incoming.provider,
        provider_message_id=incoming.provider_message_id,
        subject=subject,
        body=body,
        sent_at=incoming.sent_at,
        received_at=now,
        is_sensitive=bool(find_sensitive_topics(f"{subject}\n{body}" if subject else body)),
        not_to_be_answered=opt_out or (whose.customer_id is not None and not whose.may_be_answered),
        is_opt_out=opt_out,
    )
    with connection.cursor() as cursor:
        cursor.execute(_KEEP, {name: getattr(message, name) for name in _KEPT_FIELDS})
        kept = cursor.fetchone()
        if kept is None:  # the provider had delivered it already
            known = InboundMessage.objects.get(
                provider=incoming.provider, provider_message_id=incoming.provider_message_id
            )
            return Received(known, created=False)
        message.pk = kept[0]
        message._state.adding = False
        cursor.execute(
            _CONVERSATION.format(target=_HERS if whose.customer_id is not None else _UNKNOWN_SENDERS),
            {
                "store": store_id,
                "customer": whose.customer_id,
                "sender": "" if whose.customer_id is not None else sender,
                "at": now,
            },
        )
        (conversation_id,) = cursor.fetchone()
    record_event(
        by=None,
        actor_kind="customer" if whose.customer_id is not None else "system",
        action="message.received",
        customer_id=whose.customer_id,
        store_id=store_id,
        detail={
            "inbound_message_id": message.pk,
            "conversation_id": conversation_id,
            "channel": channel.value,
            "by_reply_address": by_address is not None,
            "sensitive": message.is_sensitive,
            "not_to_be_answered": message.not_to_be_answered,
        },
    )
    withdrawn = optout.handle_reply(sender=sender, text=body, channel=channel) if opt_out else 0
    return Received(message, created=True, withdrawn=withdrawn)


_KEPT_FIELDS = (
    "public_id",
    "store_id",
    "customer_id",
    "sender",
    "channel",
    "provider",
    "provider_message_id",
    "subject",
    "body",
    "sent_at",
    "received_at",
    "is_sensitive",
    "not_to_be_answered",
    "is_opt_out",
)


__all__ = ["Incoming", "InvalidIdentifier", "NoStoreForIt", "Received", "receive_message"]
