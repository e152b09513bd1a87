"""What every tablet view shares: the signed-in associate, a customer she may see (else a 404), and a
service's refusal shown on the form."""

from uuid import UUID

from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest

from accounts.models import User
from consent.selectors import get_visible_customer
from customers.models import Customer


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
