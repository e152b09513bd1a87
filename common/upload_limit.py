"""A form post carrying a file (``multipart/form-data``) whose body is larger than ``UPLOAD_MAX_BYTES``
is refused with a 413 before anything reads it: placed before the CSRF check, which reads every
post's body (a file in it is written to a temporary file first), this middleware looks only at the
declared ``Content-Length``. The one form that takes a file today is a campaign's list
(``CAMPAIGN_LIST_MAX_BYTES``); the limit is a little larger, for the form's other fields and the
encoding. Other bodies have limits of their own: the API's and the webhooks' JSON
(``API_MAX_BODY_BYTES``, ``WEBHOOK_MAX_BODY_BYTES``, mail's 10 MiB), read by their views; a url-
encoded form, Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE``. A proxy in front (README, "Production")
should refuse larger bodies still, as it also sees bodies that declare no length."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string


class UploadLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        declared = request.META.get("CONTENT_LENGTH") or ""
        too_large = declared.isdigit() and int(declared) > settings.UPLOAD_MAX_BYTES
        if request.method == "POST" and request.content_type == "multipart/form-data" and too_large:
            page = render_to_string(
                "413.html", {"mb": settings.UPLOAD_MAX_BYTES // (1024 * 1024), "back": request.path}
            )
            return HttpResponse(page, status=413)
        return self.get_response(request)
