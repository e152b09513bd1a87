"""Data-rights actions that change personal data; each one is audited."""

from functools import partial

from django.db import transaction

from accounts.models import User
from audit.services import record_event
from customers.models import Customer
from privacy import tasks


@transaction.atomic
def request_erasure(*, customer: Customer, by: User | None, actor_kind: str) -> None:
    """Record that her erasure was asked for and erase her in the background once this commits.

    ``actor_kind`` says who asked: "customer" (herself, ``by=None``), "staff" on her behalf, or
    "system". Asking twice is harmless: erasure is idempotent.
    """
    record_event(by=by, actor_kind=actor_kind, action="erasure.requested", customer_id=customer.pk)
    transaction.on_commit(partial(tasks.erase_customer.delay, customer.pk))
