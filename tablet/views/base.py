"""What every tablet view shares: the signed-in associate, a customer she may see (else a 404), pages
that vary with htmx, and a service's refusal shown on the form."""

from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

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


def render_page(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    """The page, or (for htmx) the fragment ``template`` names after ``#``; varies on HX-Request."""
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


def attach(form: Form, error: ValidationError) -> None:
    """A service's ``ValidationError`` on the form it came from (unknown fields: on the whole form)."""
    for field, messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)
