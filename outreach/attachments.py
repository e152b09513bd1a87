"""What a message carries besides its text: one of her looks, or a product, as a link with its picture.

A product is shared the way a look is: attaching it makes a look of that one product, so she opens the
same page (the picture, "I like it", her wishlist), the link expires and can be withdrawn, and staff
see when she opened it. The link goes at the end of the text: a text message carries no picture (her
phone previews the page, whose ``og:image`` is the first picture); an e-mail also carries the
pictures, in its HTML part (``email_html``). Sensitive products cannot be attached: they are neither
offered (``choices``) nor accepted (``outreach.looks.create_look``).
"""

import re
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from catalog.images import absolute_picture_url
from catalog.models import Product
from common.http import absolute_url
from customers.models import Customer
from outreach.looks import create_look, look_url
from outreach.messaging import language_of, queue_message
from outreach.models import Look, LookItem, Message
from outreach.selectors import product_choices
from stores.models import Store

LOOKS_OFFERED = 10
PICTURES_IN_EMAIL = 4


@dataclass(frozen=True)
class Attachment:
    look: Look | None = None
    product_id: int | None = None


def choices(customer: Customer) -> list[tuple[str, str]]:
    """What the associate can attach: her looks whose link still opens, then the products of her
    suggestions and wishlist. Values: ``look:<public id>``, ``product:<id>``."""
    looks = Look.objects.filter(
        customer=customer, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).order_by("-created_at", "-pk")[:LOOKS_OFFERED]
    return [
        *((f"look:{look.public_id}", _("Look: %(title)s") % {"title": look.title}) for look in looks),
        *((f"product:{pk}", label) for pk, label in product_choices(customer)),
    ]


def from_choice(customer: Customer, value: str) -> Attachment:
    """The attachment a choice names (one ``choices`` offered her); nothing for "" or a stale one."""
    kind, _sep, key = value.partition(":")
    if kind == "look":
        try:
            return Attachment(look=Look.objects.filter(customer=customer, public_id=UUID(key)).first())
        except ValueError:
            return Attachment()
    if kind == "product" and key.isdigit():
        return Attachment(product_id=int(key))
    return Attachment()


def with_link(body: str, url: str) -> str:
    return body if url in body else f"{body.rstrip()}\n{url}"


def link_in(body: str) -> str:
    """The look link a message's text carries ("" if none): the one she was sent (a link is signed
    with the time it was made, so one made again differs)."""
    prefix = absolute_url(reverse("customer_site:look", args=["-"])).removesuffix("-/")
    found = re.search(re.escape(prefix) + r"[^\s/]+/", body)
    return found.group(0) if found else ""


@transaction.atomic
def queue_with(
    *, by: User, customer: Customer, store: Store, attachment: Attachment, body: str, **message: Any
) -> Message:
    """``outreach.messaging.queue_message`` with the attachment's link added to the text. A product
    becomes a look of its own first; if the message is then refused, neither is kept."""
    look = attachment.look
    if attachment.product_id is not None:
        product = Product.objects.get(pk=attachment.product_id)
        look = create_look(
            by=by, customer=customer, store=store, title=product.name[:80], note="", product_ids=[product.pk]
        )
    if look is not None:
        body = with_link(body, look_url(look))
    return queue_message(by=by, customer=customer, store=store, body=body, look=look, **message)


def email_html(message: Message, footer: str) -> str:
    """The e-mail's HTML part for a message with a look: its text, the look's first pictures, each a
    link to the look, and the footer."""
    assert message.look is not None
    url = link_in(message.body) or look_url(message.look)
    items = (
        LookItem.objects.filter(look=message.look, product__category__is_sensitive=False)
        .select_related("product")
        .order_by("position")[:PICTURES_IN_EMAIL]
    )
    pictures = [
        {"name": item.product.name, "src": absolute_picture_url(item.product.image_url)}
        for item in items
        if item.product.image_url
    ]
    with translation.override(language_of(message.customer)):
        return render_to_string(
            "outreach/email_message.html",
            {
                "body": message.body.replace(url, "").rstrip(),
                "look": message.look,
                "url": url,
                "pictures": pictures,
                "footer": footer,
            },
        )
