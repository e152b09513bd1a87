"""What a manager may see of the duplicate queue and of past merges: pairs and merges touching a
customer she may see (``consent.selectors``). The other side of a pair may not consent to be
seen: of her, the page shows only what the decision needs (see ``Side``)."""

from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import Count, Max, Q, QuerySet

from accounts.models import User
from consent.selectors import customers_visible_to
from customers.models import Customer, CustomerIdentifier
from identity.duplicates import SIGNALS
from identity.models import CustomerMerge, DuplicateCandidate
from sales.models import Order

PAGE_SIZE = 25


@dataclass(frozen=True)
class Side:
    """One profile of a pair, as a manager sees it to decide."""

    customer: Customer
    visible: bool
    name: str
    identifiers: list[tuple[str, str]]  # (kind label, masked value; the kind only when not visible)
    orders: int
    last_order: datetime | None
    stores: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Pair:
    candidate: DuplicateCandidate
    first: Side
    second: Side
    signals: list[str]
    name_similarity: float | None

    @property
    def sides(self) -> tuple[Side, Side]:
        return self.first, self.second

    @property
    def suggested_survivor(self) -> Side:
        return self.first if self.first.visible or not self.second.visible else self.second


def open_pairs(user: User) -> list[Pair]:
    """The open pairs, best first, where at least one profile is one she may see."""
    visible = customers_visible_to(user).values("pk")
    candidates = list(
        DuplicateCandidate.objects.filter(status=DuplicateCandidate.Status.OPEN)
        .filter(Q(first__in=visible) | Q(second__in=visible))
        .filter(first__merged_into__isnull=True, second__merged_into__isnull=True)
        .filter(first__erased_at__isnull=True, second__erased_at__isnull=True)
        .order_by("-score", "pk")[:PAGE_SIZE]
    )
    sides = _sides(user, {pk for c in candidates for pk in (c.first_id, c.second_id)})
    return [
        Pair(
            candidate=c,
            first=sides[c.first_id],
            second=sides[c.second_id],
            signals=[str(SIGNALS.get(s, s)) for s in c.evidence.get("signals", [])],
            name_similarity=c.evidence.get("name"),
        )
        for c in candidates
    ]


def pair_for(user: User, candidate_id: int) -> DuplicateCandidate:
    """One pair she may decide, or ``DuplicateCandidate.DoesNotExist``."""
    visible = customers_visible_to(user).values("pk")
    return DuplicateCandidate.objects.select_related("first", "second").get(
        Q(first__in=visible) | Q(second__in=visible), pk=candidate_id
    )


def recent_merges(user: User) -> QuerySet[CustomerMerge]:
    """Merges into a customer she may see, newest first (undone ones too)."""
    return (
        CustomerMerge.objects.filter(survivor__in=customers_visible_to(user).values("pk"))
        .select_related("survivor", "merged", "merged_by", "undone_by")
        .order_by("-created_at")[:50]
    )


def merge_for(user: User, merge_id: int) -> CustomerMerge:
    return CustomerMerge.objects.get(pk=merge_id, survivor__in=customers_visible_to(user).values("pk"))


def _sides(user: User, ids: set[int]) -> dict[int, Side]:
    customers = {c.pk: c for c in Customer.objects.filter(pk__in=ids)}
    visible = set(customers_visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))
    identifiers: dict[int, list[tuple[str, str]]] = {pk: [] for pk in ids}
    for identifier in CustomerIdentifier.objects.filter(customer_id__in=ids).order_by("kind", "-is_primary"):
        label = CustomerIdentifier.Kind(identifier.kind).label
        shown = mask(identifier.kind, identifier.value) if identifier.customer_id in visible else ""
        identifiers[identifier.customer_id].append((label, shown))
    activity: dict[int, tuple[int, datetime | None, list[str]]] = {
        pk: (orders, last, stores)
        for pk, orders, last, stores in Order.objects.filter(customer_id__in=ids)
        .values("customer_id")
        .annotate(
            orders=Count("pk"),
            last=Max("placed_at"),
            stores=ArrayAgg("store__name", distinct=True, filter=Q(store__isnull=False), default=[]),
        )
        .values_list("customer_id", "orders", "last", "stores")
    }
    sides = {}
    for pk, customer in customers.items():
        seen = pk in visible
        orders, last, stores = activity.get(pk, (0, None, []))
        sides[pk] = Side(
            customer=customer,
            visible=seen,
            name=customer.display_name if seen else _initials(customer),
            identifiers=identifiers[pk],
            orders=orders,
            last_order=last,
            stores=sorted(stores),
        )
    return sides


def mask(kind: str, value: str) -> str:
    """Enough to recognise, not to use: ``c•••@gmail.com``, ``•••• 3456``."""
    if kind == "email" and "@" in value:
        name, domain = value.split("@", 1)
        return f"{name[:1]}•••@{domain}"
    return f"•••• {value[-4:]}" if len(value) > 4 else "••••"


def _initials(customer: Customer) -> str:
    letters = "".join(part[:1].upper() + "." for part in (customer.given_name, customer.family_name) if part)
    return f"{letters or 'A customer'} (not consenting to be seen)"
