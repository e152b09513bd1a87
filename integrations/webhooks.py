"""Webhooks providers call: the messages customers send us and what became of ours.

Every call is signed with a timestamp (``integrations.webhook_signing``), read through the
provider's adapter (``integrations.inbound_adapters``, where the payloads are documented) and kept in
one transaction: 413 past ``WEBHOOK_MAX_BODY_BYTES`` (an e-mail: ``INBOUND_MAIL_MAX_BODY_BYTES``),
403 unsigned or stale, 400 malformed (saying what is wrong), 409 for a receipt of a message still
leaving (the provider tries again); nothing is half-written. A provider message delivered twice is
kept once. Bodies are JSON, or url-encoded forms for an adapter that reads them (e-mail); the
signature covers the raw body either way. Bodies are never logged.
"""

import json
from typing import Any
from urllib.parse import parse_qsl

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from common import metrics
from customers.identifiers import InvalidIdentifier
from integrations.inbound_adapters import ADAPTERS, Adapter, Malformed, Parsed
from integrations.webhook_signing import Unsigned, check_signed
from outreach.inbound import NoStoreForIt, receive_message
from outreach.models import Channel
from outreach.receipts import StillLeaving, UnknownMessage, record_status


class _Refused(Exception):
    def __init__(self, status: int, error: str) -> None:
        super().__init__(error)
        self.status, self.error = status, error


_FORM = "application/x-www-form-urlencoded"
_MAX_FORM_FIELDS = 1000


def _payload(request: HttpRequest, adapter: Adapter, body: bytes) -> Any:
    """The body's JSON, or its fields (the last of a repeated name, as Django's ``QueryDict``) if it
    is a url-encoded form and the adapter reads forms."""
    if adapter.reads_forms and request.content_type == _FORM:
        try:
            fields = parse_qsl(body.decode(), keep_blank_values=True, max_num_fields=_MAX_FORM_FIELDS)
        except ValueError:  # not UTF-8, or too many fields
            raise Malformed(f"The form must be UTF-8 with at most {_MAX_FORM_FIELDS:,} fields.") from None
        return dict(fields)
    return json.loads(body)


def _read(request: HttpRequest, adapter: Adapter) -> Parsed:
    limit = getattr(settings, adapter.body_limit_setting)
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    body = b"" if declared > limit else request.read(limit + 1)
    if declared > limit or len(body) > limit:
        raise _Refused(413, f"The body is larger than {limit:,} bytes.")
    try:
        check_signed(
            secret=getattr(settings, adapter.secret_setting),
            timestamp=request.headers.get("X-Timestamp", ""),
            given=request.headers.get("X-Signature", ""),
            body=body,
        )
    except Unsigned as refused:
        raise _Refused(403, str(refused)) from None
    try:
        return adapter.parse(_payload(request, adapter, body))
    except ValueError as error:  # Malformed, and JSON that does not parse
        if isinstance(error, Malformed):
            raise _Refused(400, str(error)) from None
        also = f" (nor a form: Content-Type {_FORM})" if adapter.reads_forms else ""
        raise _Refused(400, f"The body is not JSON{also}.") from None


def _apply(parsed: Parsed) -> dict[str, int]:
    counts = {"received": 0, "duplicates": 0, "withdrawn": 0, "statuses": 0, "ignored": parsed.ignored}
    with transaction.atomic():
        for incoming in parsed.messages:
            try:
                received = receive_message(incoming)
            except InvalidIdentifier:
                what = "an e-mail address" if incoming.channel == Channel.EMAIL else "a phone number"
                raise _Refused(400, f"{incoming.sender!r} is not {what} we can read.") from None
            except NoStoreForIt as error:
                raise _Refused(503, str(error)) from None
            counts["received" if received.created else "duplicates"] += 1
            counts["withdrawn"] += received.withdrawn
        for receipt in parsed.receipts:
            try:
                record_status(receipt)
            except StillLeaving:  # the provider tries again
                raise _Refused(409, "That message is still being sent; try again shortly.") from None
            except UnknownMessage:
                # Not ours, or no longer here (erased with her): acknowledged, so the rest of a
                # provider's batch is not refused with it.
                counts["ignored"] += 1
                continue
            counts["statuses"] += 1
    return counts


def _webhook(request: HttpRequest, provider: str, *, receipts_only: bool = False) -> HttpResponse:
    adapter = ADAPTERS[provider]
    try:
        parsed = _read(request, adapter)
        if receipts_only and parsed.messages:
            raise _Refused(400, 'This address takes delivery receipts: {"id", "status", ...}.')
        counts = _apply(parsed)
    except _Refused as refused:
        metrics.INBOUND_WEBHOOKS.labels(provider=provider, outcome=str(refused.status)).inc()
        return JsonResponse({"error": refused.error}, status=refused.status)
    outcome = "duplicate" if counts["duplicates"] and not counts["received"] else "accepted"
    metrics.INBOUND_WEBHOOKS.labels(provider=provider, outcome=outcome).inc()
    return JsonResponse(counts)


@csrf_exempt  # called by the SMS provider, authenticated by its signature
@require_POST
def sms_reply(request: HttpRequest) -> HttpResponse:
    """A text a customer sent: kept in her conversation; STOP and its spellings withdraw texts."""
    return _webhook(request, "sms")


@csrf_exempt
@require_POST
def sms_status(request: HttpRequest) -> HttpResponse:
    """What became of a text we sent (sent, delivered, failed with the provider's code, read)."""
    return _webhook(request, "sms", receipts_only=True)


@csrf_exempt
@require_POST
def whatsapp_events(request: HttpRequest) -> HttpResponse:
    """WhatsApp Business: her messages and our messages' statuses, in the Cloud API's shape."""
    return _webhook(request, "whatsapp")


@csrf_exempt
@require_POST
def mail_inbound(request: HttpRequest) -> HttpResponse:
    """Her reply to one of our e-mails (Postmark's JSON or Mailgun's form): kept in her thread."""
    return _webhook(request, "email")
