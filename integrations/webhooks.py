"""Webhooks providers call: text-message replies (STOP and its spellings withdraw consent)."""

import json

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from outreach import optout


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
