"""Reads of outreach data, always for a customer already obtained through a scoped selector, or
filtered to customers the reader may see."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from accounts.models import User
from accounts.selectors import stores_of
from catalog.models import Product
from consent.selectors import customers_visible_to
from customers.models import Customer
from outreach.models import Appointment, Look, LookItem, Message, MessageTemplate, WishlistItem
from stores.models import Store
from suggestions.selectors import top_suggested

SEARCH_LIMIT = 20


def _shown_products() -> QuerySet[Product]:
    return Product.objects.filter(category__is_sensitive=False).select_related("brand")


def product_label(product: Product) -> str:
    brand = f" · {product.brand.name}" if product.brand else ""
    return f"{product.name}{brand} · {product.price:.2f} {product.currency}"


def product_choices(
    customer: Customer, *, query: str = "", chosen: list[int] | None = None
) -> list[tuple[int, str]]:
    """What an associate can put in a look or have prepared: her suggestions, her wishlist, what she
    searched for and what is already ticked; never a sensitive or discontinued product."""
    products = _shown_products().filter(is_active=True)
    ids: dict[int, None] = dict.fromkeys(chosen or [])
    ids |= dict.fromkeys(top_suggested(customer, limit=10))
    ids |= dict.fromkeys(
        WishlistItem.objects.filter(customer=customer).values_list("product_id", flat=True)[:20]
    )
    query = query.strip()
    if query:
        found = products.filter(
            Q(name__icontains=query) | Q(sku__iexact=query) | Q(brand__name__icontains=query)
        )
        ids |= dict.fromkeys(found.order_by("name").values_list("pk", flat=True)[:SEARCH_LIMIT])
    by_id = products.in_bulk(list(ids))
    return [(pk, product_label(by_id[pk])) for pk in ids if pk in by_id]


def search_products(query: str) -> list[Product]:
    query = query.strip()
    if len(query) < 2:
        return []
    return list(
        _shown_products()
        .filter(is_active=True)
        .filter(Q(name__icontains=query) | Q(sku__iexact=query) | Q(brand__name__icontains=query))
        .order_by("name")[:SEARCH_LIMIT]
    )


def look_for_staff(user: User, customer: Customer, public_id: str) -> Look:
    return (
        Look.objects.filter(customer=customer, public_id=public_id)
        .select_related("created_by", "store")
        .prefetch_related(
            Prefetch("items", queryset=LookItem.objects.select_related("product__brand", "product__category"))
        )
        .get()
    )


@dataclass(frozen=True)
class DaySlot:
    appointment: Appointment
    visible: bool  # false: she has withdrawn consent, so only the time shows


def local_day_bounds(store: Store, day: date) -> tuple[datetime, datetime]:
    zone = ZoneInfo(store.timezone)
    start = datetime.combine(day, datetime.min.time(), tzinfo=zone)
    return start, datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=zone)


def store_day(user: User, store: Store, day: date) -> list[DaySlot]:
    """The store's booked appointments on ``day`` (store time). Two queries."""
    start, end = local_day_bounds(store, day)
    visible = customers_visible_to(user).filter(pk=OuterRef("customer_id"))
    appointments = (
        Appointment.objects.filter(
            store=store, status=Appointment.Status.BOOKED, starts_at__gte=start, starts_at__lt=end
        )
        .annotate(visible=Exists(visible))
        .select_related("customer", "associate", "store")
        .prefetch_related(Prefetch("products", queryset=_shown_products()))
        .order_by("starts_at", "associate__first_name")
    )
    return [DaySlot(a, a.visible) for a in appointments]


def store_messages(
    user: User, store_ids: list[int], *, status: str = "", limit: int = 100
) -> QuerySet[Message]:
    """For managers: the stores' messages to customers she may see, newest first."""
    messages = Message.objects.filter(
        store_id__in=store_ids, customer__in=customers_visible_to(user).values("pk")
    )
    if status:
        messages = messages.filter(status=status)
    return messages.select_related("customer", "sent_by", "store").order_by("-created_at")[:limit]


# What suggestions learn of her taste here (registered as a ``suggestions.sources.TasteSource``).


def liked_look_brands(customer_ids: Any) -> Iterable[tuple[int, int]]:
    """(customer, brand) of the products she liked on looks shared with her (never sensitive ones)."""
    return (
        LookItem.objects.filter(
            look__customer_id__in=customer_ids,
            liked_at__isnull=False,
            product__brand__isnull=False,
            product__category__is_sensitive=False,
        )
        .values_list("look__customer_id", "product__brand_id")
        .distinct()
    )


def look_likes_since(moment: datetime) -> Iterable[int]:
    return (
        LookItem.objects.filter(liked_at__gte=moment).values_list("look__customer_id", flat=True).distinct()
    )


def wishlist_brands(customer_ids: Any) -> Iterable[tuple[int, int]]:
    """(customer, brand) of the products on her wishlist (never sensitive ones)."""
    return (
        WishlistItem.objects.filter(
            customer_id__in=customer_ids, product__brand__isnull=False, product__category__is_sensitive=False
        )
        .values_list("customer_id", "product__brand_id")
        .distinct()
    )


def wishlist_added_since(moment: datetime) -> Iterable[int]:
    return (
        WishlistItem.objects.filter(created_at__gte=moment).values_list("customer_id", flat=True).distinct()
    )


def templates_of(store: Store | None) -> QuerySet[MessageTemplate]:
    """The chain's templates and ``store``'s own, for managers."""
    return MessageTemplate.objects.filter(Q(store__isnull=True) | Q(store=store)).select_related(
        "store", "updated_by"
    )


def template_to_edit(user: User, template_id: int) -> MessageTemplate | None:
    """A template she may edit: the chain's, or one of her stores'."""
    return MessageTemplate.objects.filter(
        Q(store__isnull=True) | Q(store__in=stores_of(user)), pk=template_id
    ).first()


def template_by_id(template_id: int) -> MessageTemplate | None:
    return MessageTemplate.objects.filter(pk=template_id).first()


def shown_items(look: Look) -> list[LookItem]:
    """A look's items as she sees them on her phone: never a sensitive product."""
    return list(
        LookItem.objects.filter(look=look, product__category__is_sensitive=False).select_related(
            "product__brand"
        )
    )


def wished_product_ids(customer: Customer) -> set[int]:
    return set(WishlistItem.objects.filter(customer=customer).values_list("product_id", flat=True))


def appointment_of(customer: Customer, public_id: UUID) -> Appointment | None:
    return (
        Appointment.objects.filter(customer=customer, public_id=public_id)
        .select_related("store", "associate", "customer")
        .first()
    )


def message_of(customer: Customer, public_id: UUID) -> Message | None:
    return Message.objects.filter(customer=customer, public_id=public_id).first()


def wishlist_item_of(customer: Customer, item_id: int) -> WishlistItem | None:
    return WishlistItem.objects.filter(customer=customer, pk=item_id).first()
