"""Her way out: the unsubscribe link in every e-mail and a STOP reply to any text or WhatsApp message.

Both withdraw that channel's consent through the consent ledger (a ``ConsentEvent`` with its own
method), cancel what was still waiting to go on that channel, and are audited as her own act.
"""

import unicodedata
from uuid import UUID

from django.core import signing
from django.db import transaction

from audit.services import record_event
from consent.models import ConsentState, Method, Verification
from consent.policy import current_policy
from consent.services import record_consent
from customers.identifiers import InvalidIdentifier, normalise_phone
from customers.models import Customer, CustomerIdentifier
from outreach.messaging import language_of
from outreach.models import CHANNEL_PURPOSE, Channel, Message
from stores.models import Store

_SALT = "outreach.unsubscribe"
STOP_WORDS = frozenset(
    {"STOP", "STOPALL", "STOP ALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "ARRET", "STOP SMS", "DESABONNER"}
)


class InvalidToken(ValueError):
    """The link was not made here, or was changed."""


def unsubscribe_token(message: Message) -> str:
    """Names the message (and through it her and the channel); it does not expire."""
    return signing.dumps(message.public_id.hex, salt=_SALT)


def message_for_token(token: str) -> Message:
    """The message a token names; ``InvalidToken`` if forged, ``Message.DoesNotExist`` if gone."""
    try:
        public_id = UUID(hex=signing.loads(token, salt=_SALT))
    except (signing.BadSignature, ValueError, TypeError):
        raise InvalidToken from None
    return Message.objects.select_related("customer", "store").get(public_id=public_id)


@transaction.atomic
def withdraw_channel(
    *, customer: Customer, channel: str, method: str, verification: str, store: Store | None
) -> bool:
    """Withdraw her consent to ``channel``; False when it was already withdrawn (nothing written)."""
    Customer.objects.select_for_update().filter(pk=customer.pk).first()
    purpose = CHANNEL_PURPOSE[Channel(channel)]
    if not ConsentState.objects.filter(customer=customer, purpose_id=purpose, granted=True).exists():
        return False
    record_consent(
        customer=customer,
        purposes=[purpose],
        granted=False,
        policy_version=current_policy(language_of(customer)),
        method=method,
        verification=verification,
        store=store,
    )
    cancelled = Message.objects.filter(customer=customer, channel=channel).cancel("She withdrew her consent.")
    record_event(
        by=None,
        actor_kind="customer",
        action="consent.changed",
        customer_id=customer.pk,
        store_id=store.pk if store else None,
        detail={"granted": [], "withdrawn": [purpose], "via": method, "messages_cancelled": cancelled},
    )
    return True


def unsubscribe(message: Message) -> bool:
    """The e-mail's link (or a mail client's one-click POST): no more e-mails."""
    return withdraw_channel(
        customer=message.customer,
        channel=Channel.EMAIL,
        method=Method.UNSUBSCRIBE,
        verification=Verification.MAGIC_LINK,
        store=message.store,
    )


def is_stop(text: str) -> bool:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().strip().upper()
    plain = " ".join(plain.replace(".", " ").replace("!", " ").split())
    return plain in STOP_WORDS or plain.split(" ")[0] in {"STOP", "ARRET"}


# How a STOP on each channel is written in the consent ledger.
_STOP_METHOD = {Channel.SMS: Method.SMS_REPLY, Channel.WHATSAPP: Method.WHATSAPP_REPLY}


def handle_reply(*, sender: str, text: str, channel: str = Channel.SMS) -> int:
    """A text (or WhatsApp message) she sent. STOP (or ARRÊT…) withdraws that channel for whoever
    has that number."""
    if not is_stop(text):
        return 0
    try:
        number = normalise_phone(sender)
    except InvalidIdentifier:
        return 0
    customers = Customer.objects.active().filter(
        pk__in=CustomerIdentifier.objects.filter(kind=CustomerIdentifier.Kind.PHONE, value=number).values(
            "customer_id"
        )
    )
    return sum(
        withdraw_channel(
            customer=customer,
            channel=channel,
            method=_STOP_METHOD[Channel(channel)],
            verification=Verification.SENDER_NUMBER,
            store=None,
        )
        for customer in customers
    )
