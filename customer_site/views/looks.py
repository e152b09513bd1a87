"""A look shared with her, as she opens it on her phone: she likes items, or keeps them on her wishlist."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from catalog.images import absolute_picture_url
from customer_site.views.base import problem
from outreach import looks
from outreach.models import LookItem
from outreach.selectors import shown_items, wished_product_ids


def _open_look(request: HttpRequest, token: str) -> tuple[looks.Look | None, HttpResponse | None]:
    try:
        return looks.look_for_token(token), None
    except looks.LinkExpired:
        return None, problem(
            request,
            _("This link has expired"),
            _("Looks stay open for a few weeks. Ask your associate to send it again."),
            410,
        )
    except looks.LookClosed:
        # Whoever holds the link learns nothing of her, not even why: she may share again later.
        return None, problem(
            request, _("This look is closed"), _("It is no longer shared through this link."), 410
        )
    except looks.InvalidLink:
        return None, problem(
            request, _("This link does not open"), _("Check that you copied the whole link."), 404
        )


@require_GET
def look(request: HttpRequest, token: str) -> HttpResponse:
    found, refusal = _open_look(request, token)
    if found is None:
        assert refusal is not None
        return refusal
    looks.opened(found)
    items = shown_items(found)
    wished = wished_product_ids(found.customer)
    # In the language her phone asks for (she can switch on the page), like the other public pages.
    response = render(
        request,
        "customer_site/public_look.html",
        {
            "look": found,
            "items": items,
            "wished": wished,
            "token": token,
            # Her phone's preview of the link in a text or WhatsApp shows the first picture.
            "preview_image": next(
                (absolute_picture_url(i.product.image_url) for i in items if i.product.image_url), ""
            ),
        },
    )
    response["Referrer-Policy"] = "no-referrer"  # the link is her key: never pass it on
    response["X-Robots-Tag"] = "noindex"
    return response


@require_POST
def look_item(request: HttpRequest, token: str, item_id: int, action: str) -> HttpResponse:
    """She likes an item (or not any more), or keeps it on her wishlist."""
    found, refusal = _open_look(request, token)
    if found is None:
        assert refusal is not None
        return refusal
    try:
        item = looks.act_on_item(look=found, item_id=item_id, action=action)
    except LookItem.DoesNotExist:
        return problem(request, _("This item is not in the look"), _("Reload the page."), 404)
    return redirect(f"{request.path.split('/items/')[0]}/#item-{item.pk}")
