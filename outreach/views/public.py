"""What the customer opens from her phone: a shared look, the unsubscribe link; and STOP replies."""

import json

from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from outreach import looks, optout
from outreach.messaging import language_of
from outreach.models import LookItem, Message, WishlistItem


def _problem(request: HttpRequest, title: str, text: str, status: int) -> HttpResponse:
    return render(request, "outreach/public_problem.html", {"title": title, "text": text}, status=status)


def _open_look(request: HttpRequest, token: str) -> tuple[looks.Look | None, HttpResponse | None]:
    try:
        return looks.look_for_token(token), None
    except looks.LinkExpired:
        return None, _problem(
            request,
            _("This link has expired"),
            _("Looks stay open for a few weeks. Ask your associate to send it again."),
            410,
        )
    except looks.InvalidLink:
        return None, _problem(
            request, _("This link does not open"), _("Check that you copied the whole link."), 404
        )


@require_GET
def look(request: HttpRequest, token: str) -> HttpResponse:
    found, problem = _open_look(request, token)
    if found is None:
        assert problem is not None
        return problem
    looks.opened(found)
    items = list(
        LookItem.objects.filter(look=found, product__category__is_sensitive=False).select_related(
            "product__brand"
        )
    )
    wished = set(WishlistItem.objects.filter(customer=found.customer).values_list("product_id", flat=True))
    # In the language her phone asks for (she can switch on the page), like the other public pages.
    response = render(
        request,
        "outreach/public_look.html",
        {"look": found, "items": items, "wished": wished, "token": token},
    )
    response["Referrer-Policy"] = "no-referrer"  # the link is her key: never pass it on
    response["X-Robots-Tag"] = "noindex"
    return response


@require_POST
def look_item(request: HttpRequest, token: str, item_id: int, action: str) -> HttpResponse:
    """She likes an item (or not any more), or keeps it on her wishlist."""
    found, problem = _open_look(request, token)
    if found is None:
        assert problem is not None
        return problem
    item = LookItem.objects.filter(pk=item_id, look=found).first()
    if item is None or action not in ("like", "unlike", "wish"):
        return _problem(request, _("This item is not in the look"), _("Reload the page."), 404)
    with transaction.atomic():
        if action == "wish":
            looks.add_to_wishlist(
                customer=found.customer, product_id=item.product_id, by=None, store=found.store
            )
        else:
            looks.mark_item(look=found, item_id=item.pk, liked=action == "like")
    return redirect(f"{request.path.split('/items/')[0]}/#item-{item.pk}")


@csrf_exempt  # the signed token is the credential; mail clients POST here without a session (RFC 8058)
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks (link checkers must not unsubscribe anyone); POST withdraws e-mail consent."""
    try:
        message = optout.message_for_token(token)
    except optout.InvalidToken:
        return _problem(
            request, _("This link does not open"), _("Check that you copied the whole link."), 400
        )
    except Message.DoesNotExist:
        return _problem(request, _("Nothing to stop"), _("We hold no data about you any more."), 404)
    with translation.override(language_of(message.customer)):
        if request.method == "POST":
            optout.unsubscribe(message)
            return render(request, "outreach/unsubscribed.html", {"store": message.store})
        return render(request, "outreach/unsubscribe.html", {"store": message.store, "token": token})


@csrf_exempt  # called by the SMS provider, authenticated by its signature
@require_POST
def sms_reply(request: HttpRequest) -> HttpResponse:
    """A text a customer sent back, forwarded by the provider: ``{"from": "+44…", "text": "STOP"}``."""
    if not optout.signature_is_valid(request.body, request.headers.get("X-Signature", "")):
        return JsonResponse({"error": "bad signature"}, status=403)
    try:
        payload = json.loads(request.body)
        sender, text = str(payload["from"]), str(payload["text"])
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"error": 'expected JSON {"from": ..., "text": ...}'}, status=400)
    withdrawn = optout.handle_reply(sender=sender, text=text)
    return JsonResponse({"withdrawn": withdrawn})
