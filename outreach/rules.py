"""The rules every message obeys, whoever writes it and whenever it leaves.

- **Consent per channel**: e-mail needs "contact_email", a text "contact_sms", WhatsApp
  "contact_whatsapp", granted now.
- **An address**: her primary e-mail or phone on file (WhatsApp: her phone).
- **WhatsApp's own rule** (Meta's customer-service window): free text only within
  ``WHATSAPP_ANSWER_WINDOW_HOURS`` (24) of her last WhatsApp message to the store; outside it WhatsApp
  takes only templates Meta approved, which the app does not send. So WhatsApp is only for answering
  her, and is not offered otherwise.
- **Quiet hours**: nothing leaves between the store's ``quiet_hours_start`` and ``quiet_hours_end``,
  read in the store's own time zone.
- **The cap**: at most ``OUTREACH_CAP`` outreach messages and shared looks per customer in any
  ``OUTREACH_CAP_DAYS`` days, whichever associates sent them. Messages about an appointment she
  booked are not counted; failed and cancelled ones are not either (she never got them); nor are
  answers to her own message within ``CONVERSATION_REPLY_WINDOW_HOURS`` of it (``answers_her``).

They are checked when a message is written (the associate sees why it cannot go) and again when it
leaves (consent may have been withdrawn in between; a retry may fall in quiet hours).
"""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import Enum
from typing import Final, Literal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Max
from django.db.models.functions import Least
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from consent.models import ConsentState
from customers.models import Customer, CustomerIdentifier
from outreach.models import CAPPED_USES, CHANNEL_PURPOSE, Channel, InboundMessage, Message
from stores.models import Store

CHANNEL_IDENTIFIER = {
    Channel.EMAIL: CustomerIdentifier.Kind.EMAIL,
    Channel.SMS: CustomerIdentifier.Kind.PHONE,
    Channel.WHATSAPP: CustomerIdentifier.Kind.PHONE,
}


class _NotRead(Enum):
    NOT_READ = "not read"


# Said for "when she last wrote on WhatsApp" when the caller has not read it (None: she never did).
NOT_READ: Final = _NotRead.NOT_READ
LastWhatsApp = datetime | None | Literal[_NotRead.NOT_READ]


@dataclass(frozen=True)
class Blocked:
    """Why a message cannot go now, in words the associate can repeat to the customer."""

    rule: str  # "consent", "address", "whatsapp_window", "quiet_hours" or "cap"
    reason: str
    # When it could go instead (the end of quiet hours, the day the cap frees up), if known.
    retry_at: datetime | None = None


def consented_channels(customer: Customer, *, purposes: Collection[str] | None = None) -> list[str]:
    """The channels she agreed to; ``purposes``: her granted purposes, if the caller read them."""
    granted = (
        set(purposes)
        if purposes is not None
        else set(
            ConsentState.objects.filter(
                customer=customer, granted=True, purpose_id__in=list(CHANNEL_PURPOSE.values())
            ).values_list("purpose_id", flat=True)
        )
    )
    return [channel for channel, purpose in CHANNEL_PURPOSE.items() if purpose in granted]


def address_of(customer: Customer, channel: str) -> str:
    """Her primary e-mail or phone (or any, if none is marked primary); "" when there is none."""
    return (
        CustomerIdentifier.objects.filter(customer=customer, kind=CHANNEL_IDENTIFIER[Channel(channel)])
        .order_by("-is_primary", "-pk")
        .values_list("value", flat=True)
        .first()
        or ""
    )


def reachable_channels(
    customer: Customer,
    *,
    purposes: Collection[str] | None = None,
    identifier_kinds: Collection[str] | None = None,
    store: Store | None = None,
    last_whatsapp: LastWhatsApp = NOT_READ,
) -> list[str]:
    """The channels she agreed to and has an address for; WhatsApp only to answer her from ``store``,
    within its window (none without a store). Up to three queries, none when the caller passes what
    it read already: her granted ``purposes``, the ``identifier_kinds`` she has and ``last_whatsapp``
    (``last_whatsapp_from_her``)."""
    channels = consented_channels(customer, purposes=purposes)
    if not channels:
        return []
    kinds = {CHANNEL_IDENTIFIER[Channel(c)]: c for c in channels}
    have = (
        set(identifier_kinds)
        if identifier_kinds is not None
        else set(
            CustomerIdentifier.objects.filter(customer=customer, kind__in=list(kinds)).values_list(
                "kind", flat=True
            )
        )
    )
    reachable = [c for c in channels if CHANNEL_IDENTIFIER[Channel(c)] in have]
    if Channel.WHATSAPP in reachable and not whatsapp_open(customer, store, last=last_whatsapp):
        reachable.remove(Channel.WHATSAPP)
    return reachable


def check_consent(customer: Customer, channel: str) -> Blocked | None:
    if channel in consented_channels(customer):
        return None
    if channel == Channel.EMAIL:
        return Blocked("consent", _("She has not agreed to be contacted by e-mail."))
    if channel == Channel.WHATSAPP:
        return Blocked("consent", _("She has not agreed to messages on WhatsApp."))
    return Blocked("consent", _("She has not agreed to be contacted by text message."))


def check_address(customer: Customer, channel: str, address: str | None = None) -> Blocked | None:
    """Blocked when she has no address for ``channel`` (pass ``address`` if it was already read)."""
    if address if address is not None else address_of(customer, channel):
        return None
    if channel == Channel.EMAIL:
        return Blocked("address", _("There is no e-mail address on her profile."))
    return Blocked("address", _("There is no phone number on her profile."))


def _local(store: Store, at: datetime) -> datetime:
    return at.astimezone(ZoneInfo(store.timezone))


def _is_quiet(start: time, end: time, now: time) -> bool:
    if start == end:
        return False
    if start < end:
        return start <= now < end
    return now >= start or now < end  # over midnight


def quiet_hours_end(store: Store, at: datetime) -> datetime | None:
    """When the quiet hours ``at`` falls in end (an aware datetime), or None if it is not in them."""
    local = _local(store, at)
    start, end = store.quiet_hours_start, store.quiet_hours_end
    if not _is_quiet(start, end, local.time()):
        return None
    zone = ZoneInfo(store.timezone)
    day = local.date() if local.time() < end else local.date() + timedelta(days=1)
    return datetime.combine(day, end, tzinfo=zone)


def check_quiet_hours(store: Store, at: datetime) -> Blocked | None:
    ends = quiet_hours_end(store, at)
    if ends is None:
        return None
    local_now = _local(store, at)
    return Blocked(
        "quiet_hours",
        _(
            "It is %(now)s at %(store)s, in its quiet hours (%(start)s to %(end)s): "
            "nothing is sent before %(until)s."
        )
        % {
            "now": formats.time_format(local_now.time(), "H:i"),
            "store": store.name,
            "start": formats.time_format(store.quiet_hours_start, "H:i"),
            "end": formats.time_format(store.quiet_hours_end, "H:i"),
            "until": formats.date_format(ends, "D j M, H:i"),
        },
        retry_at=ends,
    )


def check_cap(customer: Customer, at: datetime, store: Store | None = None) -> Blocked | None:
    """The cap across associates. Call it with her row locked, so two senders cannot both pass."""
    window = timedelta(days=settings.OUTREACH_CAP_DAYS)
    recent = list(
        Message.objects.filter(customer=customer, use__in=CAPPED_USES, created_at__gt=at - window)
        .exclude(status__in=[Message.Status.FAILED, Message.Status.CANCELLED])
        .order_by("created_at")
        .values_list("created_at", flat=True)
    )
    if len(recent) < settings.OUTREACH_CAP:
        return None
    frees_at = recent[len(recent) - settings.OUTREACH_CAP] + window
    shown = _local(store, frees_at) if store else timezone.localtime(frees_at)
    return Blocked(
        "cap",
        _(
            "She has already had %(count)s messages from us in the last %(days)s days, the most she "
            "gets. The next one can go on %(when)s."
        )
        % {
            "count": len(recent),
            "days": settings.OUTREACH_CAP_DAYS,
            "when": formats.date_format(shown, "D j M, H:i"),
        },
        retry_at=frees_at,
    )


def answers_her(customer: Customer, store: Store, at: datetime) -> bool:
    """She wrote to ``store`` within ``CONVERSATION_REPLY_WINDOW_HOURS`` before ``at``: a message to
    her now answers her, and is not outreach."""
    since = at - timedelta(hours=settings.CONVERSATION_REPLY_WINDOW_HOURS)
    return InboundMessage.objects.filter(
        customer=customer, store=store, received_at__gt=since, received_at__lte=at
    ).exists()


def last_whatsapp_from_her(customer: Customer, store: Store | None) -> datetime | None:
    """When she last wrote to ``store`` on WhatsApp, or None. WhatsApp's own time for it when that is
    earlier than its arrival here (a webhook delivered late): WhatsApp's window runs from there."""
    if store is None:
        return None
    found: datetime | None = InboundMessage.objects.filter(
        customer=customer, store=store, channel=Channel.WHATSAPP
    ).aggregate(last=Max(Least("sent_at", "received_at")))["last"]  # LEAST skips NULLs in PostgreSQL
    return found


def whatsapp_open_until(last: datetime | None) -> datetime | None:
    """Until when WhatsApp takes an answer to her last WhatsApp message (sent at ``last``)."""
    return last + timedelta(hours=settings.WHATSAPP_ANSWER_WINDOW_HOURS) if last is not None else None


def whatsapp_open(
    customer: Customer, store: Store | None, at: datetime | None = None, *, last: LastWhatsApp = NOT_READ
) -> bool:
    """A message leaving at ``at`` (now) may go to her on WhatsApp from ``store``."""
    if store is None:
        return False
    if last is NOT_READ:
        last = last_whatsapp_from_her(customer, store)
    until = whatsapp_open_until(last)
    return until is not None and (at or timezone.now()) < until


def check_whatsapp_window(
    customer: Customer,
    store: Store | None,
    at: datetime,
    *,
    last: LastWhatsApp = NOT_READ,
    after_quiet_hours: bool = False,
) -> Blocked | None:
    """WhatsApp's window for a message leaving at ``at`` (``after_quiet_hours``: at their end)."""
    if last is NOT_READ:
        last = last_whatsapp_from_her(customer, store)
    if whatsapp_open(customer, store, at, last=last):
        return None
    hours = settings.WHATSAPP_ANSWER_WINDOW_HOURS
    if last is None:
        reason = _(
            "WhatsApp only lets us answer within %(hours)s hours of her last WhatsApp message, and she "
            "has not written to this store there."
        ) % {"hours": hours}
    else:
        shown = _local(store, last) if store else timezone.localtime(last)
        reason = _(
            "WhatsApp only lets us answer within %(hours)s hours of her last WhatsApp message; she last "
            "wrote on %(when)s."
        ) % {"hours": hours, "when": formats.date_format(shown, "D j M, H:i")}
    if after_quiet_hours:
        leaves = _local(store, at) if store else timezone.localtime(at)
        reason += " " + _("It could only leave at %(at)s, after the store's quiet hours.") % {
            "at": formats.date_format(leaves, "D j M, H:i")
        }
    return Blocked("whatsapp_window", reason)
