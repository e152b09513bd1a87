"""Looks (a few products put together for her, shared by a signed, expiring link) and her wishlist.

Products from sensitive categories can be in neither. What she marks on a look comes back to her
card, and, when she agreed to suggestions, to them: a liked product counts towards its brand, and a
liked product that was one of her suggestions is recorded as liked like a tap on the card.
"""

from collections.abc import Sequence
from datetime import datetime, timedelta
from uuid import UUID

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit.services import record_event
from catalog.models import Product
from common.http import absolute_url
from consent.models import PurposeCode
from consent.selectors import consenting
from customers.models import Customer
from outreach.models import Look, LookItem, WishlistItem
from stores.models import Store
from suggestions.selectors import suggested_among
from suggestions.services import record_liked_elsewhere

_SALT = "outreach.look"
MAX_ITEMS = 8


class InvalidLink(ValueError):
    """Not a link made here (or changed on the way)."""


class LinkExpired(ValueError):
    """A real link that has expired or was withdrawn."""


class LookClosed(ValueError):
    """A real link to a look whose customer no longer shares her profile: it shows nothing of her."""


def shareable_products(product_ids: Sequence[int]) -> list[Product]:
    """The products of ``product_ids`` that may be shown to her: on sale and not sensitive."""
    return list(
        Product.objects.filter(
            pk__in=product_ids, is_active=True, category__is_sensitive=False
        ).select_related("brand")
    )


@transaction.atomic
def create_look(
    *,
    by: User,
    customer: Customer,
    store: Store | None,
    title: str,
    note: str,
    product_ids: Sequence[int],
) -> Look:
    wanted = list(dict.fromkeys(product_ids))
    if not wanted:
        raise ValidationError({"products": _("Choose at least one product.")})
    if len(wanted) > MAX_ITEMS:
        raise ValidationError({"products": _("A look has at most %(n)s products.") % {"n": MAX_ITEMS}})
    products = {p.pk: p for p in shareable_products(wanted)}
    if len(products) != len(wanted):
        raise ValidationError(
            {"products": _("Some of these products cannot be shared (not sold any more, or private).")}
        )
    suggested = suggested_among(customer, wanted)
    now = timezone.now()
    look = Look.objects.create(
        customer=customer,
        store=store,
        created_by=by,
        title=title.strip() or _("Chosen for you"),
        note=note.strip(),
        created_at=now,
        expires_at=now + timedelta(days=settings.LOOK_LINK_DAYS),
    )
    LookItem.objects.bulk_create(
        LookItem(look=look, product_id=pk, position=n, from_suggestion=pk in suggested)
        for n, pk in enumerate(wanted)
    )
    record_event(
        by=by,
        action="look.created",
        customer_id=customer.pk,
        store_id=store.pk if store else None,
        detail={"look_id": look.pk, "products": wanted},
    )
    return look


def look_token(look: Look) -> str:
    return signing.dumps(look.public_id.hex, salt=_SALT)


def look_path(look: Look) -> str:
    return reverse("customer_site:look", args=[look_token(look)])


def look_url(look: Look) -> str:
    return absolute_url(look_path(look))


def look_for_token(token: str, *, now: datetime | None = None) -> Look:
    """The look a link names, if it still opens; ``InvalidLink`` or ``LinkExpired`` otherwise."""
    try:
        public_id = UUID(
            hex=signing.loads(token, salt=_SALT, max_age=timedelta(days=settings.LOOK_LINK_DAYS))
        )
    except signing.SignatureExpired:
        raise LinkExpired from None
    except (signing.BadSignature, ValueError, TypeError):
        raise InvalidLink from None
    look = (
        Look.objects.select_related("customer", "store", "created_by")
        .filter(public_id=public_id, customer__erased_at__isnull=True)
        .first()
    )
    if look is None:
        raise InvalidLink
    if look.revoked_at is not None or look.expires_at <= (now or timezone.now()):
        raise LinkExpired
    if not consenting(Customer.objects.filter(pk=look.customer_id), PurposeCode.PROFILE).exists():
        raise LookClosed
    return look


def opened(look: Look) -> None:
    if look.first_opened_at is None:
        Look.objects.filter(pk=look.pk, first_opened_at__isnull=True).update(first_opened_at=timezone.now())
        record_event(
            by=None,
            actor_kind="customer",
            action="look.opened",
            customer_id=look.customer_id,
            detail={"look_id": look.pk},
        )


@transaction.atomic
def revoke_look(*, by: User, look: Look) -> None:
    Look.objects.filter(pk=look.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    record_event(
        by=by,
        action="look.revoked",
        customer_id=look.customer_id,
        store_id=look.store_id,
        detail={"look_id": look.pk},
    )


@transaction.atomic
def mark_item(*, look: Look, item_id: int, liked: bool) -> LookItem:
    """Her own tap on the shared page: she likes this one (or not any more)."""
    item = LookItem.objects.select_for_update().get(pk=item_id, look=look)
    if liked == (item.liked_at is not None):
        return item
    now = timezone.now()
    item.liked_at = now if liked else None
    item.save(update_fields=["liked_at"])
    if liked and item.from_suggestion:
        record_liked_elsewhere(customer=look.customer, product_id=item.product_id, store=look.store, at=now)
    record_event(
        by=None,
        actor_kind="customer",
        action="look.item_liked" if liked else "look.item_unliked",
        customer_id=look.customer_id,
        store_id=look.store_id,
        detail={"look_id": look.pk, "product_id": item.product_id},
    )
    return item


ITEM_ACTIONS = ("like", "unlike", "wish")


@transaction.atomic
def act_on_item(*, look: Look, item_id: int, action: str) -> LookItem:
    """Her tap on an item of a look shared with her: she likes it, not any more, or keeps it on her
    wishlist. Raises ``LookItem.DoesNotExist`` for an item (or an action) not of this look."""
    item = LookItem.objects.filter(pk=item_id, look=look).first()
    if item is None or action not in ITEM_ACTIONS:
        raise LookItem.DoesNotExist
    if action == "wish":
        add_to_wishlist(customer=look.customer, product_id=item.product_id, by=None, store=look.store)
    else:
        mark_item(look=look, item_id=item.pk, liked=action == "like")
    return item


@transaction.atomic
def add_to_wishlist(
    *,
    customer: Customer,
    product_id: int,
    by: User | None,
    store: Store | None,
    size: str = "",
) -> WishlistItem:
    """Add a product (idempotent: the same product twice is one item). ``by=None`` is her, from a look."""
    products = shareable_products([product_id])
    if not products:
        raise ValidationError(
            {"product": _("This product cannot go on a wishlist (not sold any more, or private).")}
        )
    existing = WishlistItem.objects.filter(customer=customer, product_id=product_id).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            item = WishlistItem.objects.create(
                customer=customer,
                product=products[0],
                size=size.strip()[:20],
                added_via=WishlistItem.AddedVia.ASSOCIATE if by else WishlistItem.AddedVia.CUSTOMER,
                added_by=by,
                store=store,
                created_at=timezone.now(),
            )
    except IntegrityError:  # added at the same moment from elsewhere
        return WishlistItem.objects.get(customer=customer, product_id=product_id)
    record_event(
        by=by,
        actor_kind=None if by else "customer",
        action="wishlist.added",
        customer_id=customer.pk,
        store_id=store.pk if store else None,
        detail={"product_id": product_id},
    )
    return item


@transaction.atomic
def remove_from_wishlist(*, item: WishlistItem, by: User | None) -> None:
    WishlistItem.objects.filter(pk=item.pk).delete()
    record_event(
        by=by,
        actor_kind=None if by else "customer",
        action="wishlist.removed",
        customer_id=item.customer_id,
        detail={"product_id": item.product_id},
    )
