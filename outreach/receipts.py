"""Delivery receipts: what the provider says became of a message after it took it.

``record_status`` moves a message forward only: queued → sent → delivered → read. A receipt that
comes late ("sent" after "delivered") or twice changes nothing; "failed" is kept with the
provider's error code unless she already has the message (delivered or read), since a provider's
later failure of a delivered message says nothing she did not get. A receipt for a message still
waiting on our side (the provider answered the callback before our worker saved its answer) is
refused (``StillLeaving``), so the provider tries again; one for a message we do not have (not ours,
or erased with her) is unknown, and acknowledged.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common import metrics
from outreach.models import Message

# How far along each state is: a receipt never takes a message back.
_RANK = {
    Message.Status.SENT: 1,
    Message.Status.FAILED: 2,
    Message.Status.DELIVERED: 3,
    Message.Status.READ: 4,
}
REPORTED = (Message.Status.SENT, Message.Status.DELIVERED, Message.Status.READ, Message.Status.FAILED)


@dataclass(frozen=True)
class Receipt:
    provider: str
    provider_message_id: str
    status: str  # one of REPORTED
    at: datetime | None = None  # when it happened, as the provider says
    error_code: str = ""
    reference: str = ""  # our own id for the message (its public_id), if the provider echoes it


class UnknownMessage(LookupError):
    """No message of ours has that provider id (yet)."""


class StillLeaving(UnknownMessage):
    """One of ours, still waiting or between tries here: the provider should try again shortly."""


def _locked(receipt: Receipt) -> Message | None:
    messages = Message.objects.select_for_update(of=("self",))
    if receipt.reference:
        found = messages.filter(public_id=receipt.reference).first()
        if found is not None:
            return found
    return messages.filter(provider=receipt.provider, provider_reference=receipt.provider_message_id).first()


@transaction.atomic
def record_status(receipt: Receipt, *, now: datetime | None = None) -> str:
    """Apply one receipt; returns the message's status after it. Raises ``UnknownMessage``
    (``StillLeaving`` for one of ours not yet sent, as far as we know)."""
    message = _locked(receipt) if receipt.provider_message_id or receipt.reference else None
    if message is None:
        raise UnknownMessage(receipt.provider_message_id)
    if message.is_pending:
        raise StillLeaving(receipt.provider_message_id)
    status = Message.Status(receipt.status)
    current = _RANK.get(Message.Status(message.status), 0)  # cancelled: 0, nothing moves it
    if message.status == Message.Status.CANCELLED or _RANK[status] <= current:
        metrics.MESSAGE_RECEIPTS.labels(status=status.value, outcome="ignored").inc()
        return message.status
    at = receipt.at or now or timezone.now()
    changed = ["status"]
    message.status = status
    if status == Message.Status.FAILED:
        message.provider_error = receipt.error_code[:60]
        message.last_error = (
            _("The provider could not deliver it (error %(code)s).") % {"code": receipt.error_code}
            if receipt.error_code
            else _("The provider could not deliver it.")
        )[:300]
        message.finished_at = at
        changed += ["provider_error", "last_error", "finished_at"]
    if status in (Message.Status.DELIVERED, Message.Status.READ) and message.delivered_at is None:
        message.delivered_at = at
        changed.append("delivered_at")
    if status == Message.Status.READ:
        message.read_at = at
        changed.append("read_at")
    message.save(update_fields=changed)
    metrics.MESSAGE_RECEIPTS.labels(status=status.value, outcome="applied").inc()
    return message.status
