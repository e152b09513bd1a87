"""What every tablet view shares: the signed-in associate, a customer she may see (else a 404), a
service's refusal shown on the form, and the accounting of every read of a customer's data.

Opening a customer's card, or another page of hers, records one ``customer.viewed`` event. The page
carries a signed token of that opening, which its own requests (htmx fragments and actions) send
back in the ``X-Card-Opening`` header: they are covered by it. A request that shows her data without
a valid token (made by hand, or from another person's page) is recorded as a view of its own.
"""

from uuid import UUID

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest

from accounts.models import User
from accounts.selectors import current_store
from audit.services import record_event
from consent.selectors import get_visible_customer
from customers.models import Customer

OPENING_HEADER = "X-Card-Opening"
_OPENING_SALT = "tablet.opening"


def staff(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def customer_or_404(request: HttpRequest, public_id: UUID) -> Customer:
    try:
        return get_visible_customer(staff(request), public_id)
    except Customer.DoesNotExist:
        raise Http404("No such customer, or she has not agreed to be seen.") from None


def attach(form: Form, error: ValidationError) -> None:
    """A service's ``ValidationError`` on the form it came from (unknown fields: on the whole form)."""
    for field, messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)


def open_customer(request: HttpRequest, customer: Customer, *, via: str = "") -> str:
    """Record that the associate opens a page of ``customer``'s (``via`` says which, when it is not
    the card itself) and return the opening's token, for the page's own requests to carry."""
    user = staff(request)
    store = current_store(request)
    event = record_event(
        by=user,
        action="customer.viewed",
        customer_id=customer.pk,
        store_id=store.pk if store else None,
        detail={"via": via} if via else None,
    )
    return signing.dumps([customer.pk, user.pk, event.pk], salt=_OPENING_SALT, compress=False)


def account_for_read(request: HttpRequest, customer: Customer, *, via: str) -> None:
    """A fragment or action that shows ``customer``'s data: covered by the opening it comes from, or
    recorded as a view of its own."""
    if not _opened(request, customer):
        open_customer(request, customer, via=via)


def _opened(request: HttpRequest, customer: Customer) -> bool:
    token = request.headers.get(OPENING_HEADER, "")
    if not token:
        return False
    try:
        customer_id, user_id, _ = signing.loads(
            token, salt=_OPENING_SALT, max_age=settings.SESSION_COOKIE_AGE
        )
    except (signing.BadSignature, ValueError, TypeError):
        return False
    return bool(customer_id == customer.pk and user_id == staff(request).pk)
