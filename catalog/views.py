"""The product pictures we serve ourselves (``/product-images/<name>``): the demo's generated ones, or
files an operator puts in ``PRODUCT_IMAGE_ROOT``. Public, as a product's picture is no one's data:
it shows on a look shared to a customer's phone as on the tablet."""

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_safe

from catalog.images import FILE_NAME

CONTENT_TYPES = {
    "svg": "image/svg+xml",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "webp": "image/webp",
}


@require_safe
def product_image(request: HttpRequest, name: str) -> FileResponse:
    """One picture file, cached for a day; nothing but a plain file name is looked up."""
    match = FILE_NAME.fullmatch(name)
    path = settings.PRODUCT_IMAGE_ROOT / name
    if match is None or not path.is_file():
        raise Http404("No such picture.")
    response = FileResponse(path.open("rb"), content_type=CONTENT_TYPES[match[1].lower()])
    response["Cache-Control"] = "public, max-age=86400"
    # An SVG opened on its own is a document: it may draw, never run anything.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    return response
