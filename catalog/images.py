"""Product pictures: which image URLs a product may carry, and the demo's own pictures' folder.

A picture is shown on staff tablets and on a customer's phone, so it must load under the pages'
Content-Security-Policy: an https URL on one of ``PRODUCT_IMAGE_ORIGINS`` (the retailer's image
server), or a path under our own ``/product-images/`` (served from ``PRODUCT_IMAGE_ROOT``; the demo
writes its generated pictures there). Anything else is refused with a sentence saying why.
"""

import re
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError

from common.http import absolute_url

OWN_PREFIX = "/product-images/"
# A file name the picture view serves: letters, digits, dot, dash and underscore, one extension.
FILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,120}\.(svg|png|jpg|jpeg|webp)")
MAX_LENGTH = 500


def image_url_problem(url: str) -> str | None:
    """Why ``url`` cannot be a product's picture, or None if it can ("" means no picture)."""
    if not url:
        return None
    if len(url) > MAX_LENGTH:
        return f"longer than {MAX_LENGTH} characters"
    if url.startswith(OWN_PREFIX):
        if not FILE_NAME.fullmatch(url.removeprefix(OWN_PREFIX)):
            return f"a path under {OWN_PREFIX} must be one file name (letters, digits, - and _)"
        return None
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.netloc:
        return "must be an https URL"
    if any(c in url for c in " \"'<>\\") or parts.username or parts.password:
        return "is not a plain URL"
    origin = f"https://{parts.netloc.lower()}"
    if origin not in settings.PRODUCT_IMAGE_ORIGINS:
        allowed = ", ".join(settings.PRODUCT_IMAGE_ORIGINS) or "none is set"
        return f"must be on one of PRODUCT_IMAGE_ORIGINS ({allowed}), not {origin}"
    return None


def validate_image_url(url: str) -> None:
    """The model field's validator (the admin's form): ``image_url_problem`` as a ValidationError."""
    problem = image_url_problem(url)
    if problem:
        raise ValidationError(f"The picture's URL {problem}.")


def absolute_picture_url(url: str) -> str:
    """A product picture's address from outside the site (an e-mail, a link preview): our own
    ``/product-images/`` path on ``PUBLIC_BASE_URL``, a retailer's https URL as it is."""
    return absolute_url(url) if url.startswith(OWN_PREFIX) else url
