"""Where a membership QR code leads when a phone's camera opens it rather than the tablet's scanner."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from customers.membership import InvalidMembershipCode, read_membership_code


@require_GET
def membership(request: HttpRequest, code: str) -> HttpResponse:
    """Staff signed in go to the card (through the consent-scoped scan); anyone else sees what the
    code is for, and nothing about whose it is."""
    try:
        read_membership_code(code)
    except InvalidMembershipCode:
        return render(request, "customer_site/membership.html", {"valid": False}, status=400)
    if request.user.is_authenticated:
        return redirect(f"{reverse('tablet:scan')}?code={code}")
    return render(request, "customer_site/membership.html", {"valid": True})
