"""The unsubscribe link at the foot of every e-mail we send her."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from customer_site.views.base import problem
from outreach import optout
from outreach.messaging import language_of
from outreach.models import Message


@csrf_exempt  # the signed token is the credential; mail clients POST here without a session (RFC 8058)
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks (link checkers must not unsubscribe anyone); POST withdraws e-mail consent."""
    try:
        message = optout.message_for_token(token)
    except optout.InvalidToken:
        return problem(request, _("This link does not open"), _("Check that you copied the whole link."), 400)
    except Message.DoesNotExist:
        return problem(request, _("Nothing to stop"), _("We hold no data about you any more."), 404)
    with translation.override(language_of(message.customer)):
        if request.method == "POST":
            optout.unsubscribe(message)
            return render(request, "customer_site/unsubscribed.html", {"store": message.store})
        return render(request, "customer_site/unsubscribe.html", {"store": message.store, "token": token})
