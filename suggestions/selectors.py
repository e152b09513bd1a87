"""What the card shows of a customer's suggestions, each with a sentence an associate can say."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet
from django.utils import timezone

from catalog.models import Product
from common.spoken_dates import spoken_day
from consent.models import PurposeCode
from customers.models import Customer, Preference, Size
from sales.models import OrderLine
from suggestions.models import Feedback, Reason, Suggestion, SuggestionList


@dataclass(frozen=True)
class ShownSuggestion:
    product: Product
    list: str
    rank: int
    reason: str
    sentence: str
    liked: bool


@dataclass(frozen=True)
class CardSuggestions:
    buy_again: list[ShownSuggestion]
    discover: list[ShownSuggestion]
    model_version: str

    def __bool__(self) -> bool:
        return bool(self.buy_again or self.discover)


def _when(day: date | None, today: date) -> str:
    return spoken_day(day, today) if day is not None else ""


def is_due(suggestion: Suggestion, today: date) -> bool:
    """Whether what she bought before is likely used up: its cycle has passed since she last bought
    it. The cycle is the product's own, else the one the last refresh settled (its category's, else
    the typical gap between two purchases of it), else SUGGESTIONS_RECENT_DAYS."""
    if suggestion.anchor_on is None:
        return False
    product = suggestion.product
    settled = getattr(product, "cycle", None)
    cycle = (
        product.replenish_after_days
        or (settled.cycle_days if settled is not None else None)
        or settings.SUGGESTIONS_RECENT_DAYS
    )
    return (today - suggestion.anchor_on).days >= cycle


def sentence(suggestion: Suggestion, *, sizes: dict[int, str], today: date) -> str:
    """'Goes with the linen blazer you bought in May', in words she would use, dates counted from
    the store's ``today``; "time for a new one?" only once what she bought is likely used up."""
    product = suggestion.product
    brand = product.brand.name if product.brand else ""
    when = _when(suggestion.anchor_on, today)
    match suggestion.reason:
        case Reason.BOUGHT_BEFORE if suggestion.times_bought > 1:
            times = "twice" if suggestion.times_bought == 2 else f"{suggestion.times_bought} times"
            return f"You have bought this {times}, most recently {when}".strip()
        case Reason.BOUGHT_BEFORE if is_due(suggestion, today):
            return f"You bought this {when}; time for a new one?"
        case Reason.BOUGHT_BEFORE:
            return f"You bought this {when}".strip()
        case Reason.GOES_WITH if suggestion.anchor_product is not None:
            return f"Goes with the {suggestion.anchor_product.name.lower()} you bought {when}".strip()
        case Reason.NEW_FROM_BRAND if brand:
            return f"New from {brand}, a brand you love"
        case Reason.BRAND_YOU_LOVE if brand:
            return f"From {brand}, a brand you love"
        case Reason.CATEGORY_YOU_LIKE:
            return f"More {product.category.name.lower()}, which you like"
        case Reason.IN_STOCK:
            size = sizes.get(product.category_id)
            return f"Back in stock in your size ({size})" if size else "Back in stock in your store"
        case Reason.IN_YOUR_SIZE:
            size = sizes.get(product.category_id)
            return f"In stock in your size ({size}) at your store" if size else "In stock at your store"
        case Reason.POPULAR_AT_STORE:
            return "One of your store's best sellers this month"
        case Reason.IN_SEASON:
            return "A favourite of our clients at this time of year"
        case Reason.LIKED_BY_PEERS:
            return "A favourite of clients who like what you like"
        case Reason.POPULAR_WITH_SIMILAR:
            return "Popular with customers who buy what you buy"
        case _:
            return "Popular with our clients"


def _dismissed_recently() -> Exists:
    since = timezone.now() - timedelta(days=settings.SUGGESTIONS_DISMISS_DAYS)
    return Exists(
        Feedback.objects.filter(
            customer_id=OuterRef("customer_id"),
            product_id=OuterRef("product_id"),
            kind=Feedback.Kind.DISMISSED,
            at__gte=since,
        )
    )


def _bought_lately() -> Exists:
    since = timezone.now() - timedelta(days=settings.SUGGESTIONS_RECENT_DAYS)
    return Exists(
        OrderLine.objects.filter(
            order__customer_id=OuterRef("customer_id"),
            product_id=OuterRef("product_id"),
            order__placed_at__gte=since,
        )
    )


def card_suggestions(
    customer: Customer,
    *,
    purposes: list[str],
    sizes: list[Size] | None = None,
    dislikes: list[Preference] | None = None,
    today: date | None = None,
) -> CardSuggestions | None:
    """Her two lists, or None when she does not grant the suggestions purpose (nothing is read then).

    ``customer`` comes from ``customers_visible_to``; ``purposes`` are her current grants (the card
    has them, and her ``sizes`` and ``dislikes``: fewer queries). Sensitive products and anchors, and
    brands or categories she said she dislikes since the last refresh, are left out here too,
    whatever the table holds, and so is "buy again" for what she bought in the last
    SUGGESTIONS_RECENT_DAYS (the lists are a night old; she may have bought it today). Dates are
    phrased from ``today``, the store's (the server's by default). One query.
    """
    if dislikes is None:
        dislikes = list(Preference.objects.filter(customer=customer, likes=False))
    never_brands = [p.brand_id for p in dislikes if p.brand_id is not None]
    never_categories = [p.category_id for p in dislikes if p.category_id is not None]
    if PurposeCode.SUGGESTIONS not in purposes:
        return None
    rows = list(
        Suggestion.objects.filter(customer=customer, product__category__is_sensitive=False)
        .exclude(anchor_product__category__is_sensitive=True)
        .exclude(product__brand_id__in=never_brands)
        .exclude(product__category_id__in=never_categories)
        .annotate(
            dismissed=_dismissed_recently(),
            liked=Exists(
                Feedback.objects.filter(
                    customer_id=OuterRef("customer_id"),
                    product_id=OuterRef("product_id"),
                    kind=Feedback.Kind.LIKED,
                )
            ),
        )
        .filter(dismissed=False)
        .exclude(Q(list=SuggestionList.BUY_AGAIN) & _bought_lately())
        .select_related("product__brand", "product__category", "product__cycle", "anchor_product")
        .order_by("list", "rank")
    )
    if sizes is None:
        sizes = list(Size.objects.filter(customer=customer))
    size_of = {size.category_id: size.size for size in sizes}
    today = today or timezone.localdate()
    shown = [
        ShownSuggestion(
            product=row.product,
            list=row.list,
            rank=row.rank,
            reason=row.reason,
            sentence=sentence(row, sizes=size_of, today=today),
            liked=row.liked,
        )
        for row in rows
    ]
    return CardSuggestions(
        buy_again=[s for s in shown if s.list == SuggestionList.BUY_AGAIN],
        discover=[s for s in shown if s.list == SuggestionList.DISCOVER],
        model_version=rows[0].model_version if rows else "",
    )


@dataclass(frozen=True)
class Outcomes:
    shown: int
    liked: int
    dismissed: int
    bought: int
    revenue: Decimal


def outcomes(*, since: date, until: date, store_ids: list[int] | None = None) -> Outcomes:
    """Suggestions shown, liked, dismissed, and bought within ``SUGGESTIONS_CONVERSION_DAYS`` of being
    shown or liked (each shown/liked product counts once per customer), for feedback given in
    [since, until] in those stores."""
    feedback: QuerySet[Feedback] = Feedback.objects.filter(at__date__gte=since, at__date__lte=until)
    if store_ids is not None:
        feedback = feedback.filter(store_id__in=store_ids)
    counts = feedback.aggregate(
        shown=Count("pk", filter=Q(kind=Feedback.Kind.SHOWN)),
        liked=Count("pk", filter=Q(kind=Feedback.Kind.LIKED)),
        dismissed=Count("pk", filter=Q(kind=Feedback.Kind.DISMISSED)),
    )
    # Each (customer, product) offered counts once, from its first showing or like; bought = a line
    # of it on one of her orders within the window after that.
    offered = (
        feedback.filter(kind__in=[Feedback.Kind.SHOWN, Feedback.Kind.LIKED])
        .values("customer_id", "product_id")
        .annotate(first_at=Min("at"))
    )
    sql, params = offered.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT count(*), coalesce(sum(bought.amount), 0)
            FROM ({sql}) AS offered
            CROSS JOIN LATERAL (
                SELECT l.amount FROM sales_orderline l JOIN sales_order o ON o.id = l.order_id
                WHERE o.customer_id = offered.customer_id AND l.product_id = offered.product_id
                  AND o.placed_at > offered.first_at AND o.placed_at <= offered.first_at + %s::interval
                ORDER BY o.placed_at, l.id LIMIT 1
            ) AS bought
            """,  # noqa: S608 - the inner query is Django's, with its parameters passed separately
            [*params, f"{settings.SUGGESTIONS_CONVERSION_DAYS} days"],
        )
        bought, revenue = cursor.fetchone()
    return Outcomes(
        shown=counts["shown"],
        liked=counts["liked"],
        dismissed=counts["dismissed"],
        bought=bought,
        revenue=Decimal(revenue),
    )


def suggested_among(customer: Customer, product_ids: Iterable[int]) -> set[int]:
    """Those of ``product_ids`` that are among her suggestions now."""
    return set(
        Suggestion.objects.filter(customer=customer, product_id__in=list(product_ids)).values_list(
            "product_id", flat=True
        )
    )


def top_suggested(customer: Customer, *, limit: int = 10) -> list[int]:
    """Her suggested products, best first (each list in rank order)."""
    return list(
        Suggestion.objects.filter(customer=customer)
        .order_by("list", "rank")
        .values_list("product_id", flat=True)[:limit]
    )
