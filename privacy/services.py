"""Data-rights actions that change personal data; each one is audited."""

from django.db import transaction

from accounts.models import User
from audit.services import record_event
from common import outbox
from customers.models import Customer


@transaction.atomic
def request_erasure(*, customer: Customer, by: User | None, actor_kind: str) -> None:
    """Record that her erasure was asked for and erase her in the background once this commits.

    ``actor_kind`` says who asked: "customer" (herself, ``by=None``), "staff" on her behalf, or
    "system". Asking twice is harmless: erasure is idempotent.
    """
    record_event(by=by, actor_kind=actor_kind, action="erasure.requested", customer_id=customer.pk)
    # Recorded with the request; published once it commits, and by the relay if the broker is away.
    outbox.enqueue("privacy.erase_customer", args=[customer.pk], key=f"erase:{customer.pk}")
