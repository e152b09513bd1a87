"""Finding a customer from what the associate types: a name (typos welcome), e-mail, phone, loyalty number."""

import re
from dataclasses import dataclass

from django.db.models import F, FloatField, Func, Value
from django.db.models.functions import Lower, Right

from accounts.models import User
from customers.identifiers import InvalidIdentifier, normalise_loyalty, normalise_phone
from customers.models import Customer, CustomerIdentifier
from customers.selectors import customers_visible_to
from stores.models import Store

MIN_QUERY = 2
MAX_QUERY = 100
_PHONEISH = re.compile(r"^[+\d\s().-]+$")


@dataclass(frozen=True)
class SearchResult:
    customer: Customer
    matched_on: str  # "name", "email", "phone", "loyalty"
    score: float


class _WordSimilarity(Func):
    """pg_trgm's word_similarity(query, search_name): how well the query matches part of the name."""

    function = "word_similarity"
    output_field = FloatField()


def _db_normalised(term: str) -> Func:
    return Func(Lower(Value(term)), function="public.clienteling_unaccent")


def search_customers(
    user: User, query: str, *, store: Store | None = None, limit: int = 20
) -> list[SearchResult]:
    """Customers ``user`` may see that match ``query``, best first; identifier matches beat names."""
    query = " ".join(query.split())[:MAX_QUERY]
    if len(query) < MIN_QUERY:
        return []
    visible = customers_visible_to(user).select_related("home_store")
    results: dict[int, SearchResult] = {}

    def add(customers: list[Customer], matched_on: str, score: float) -> None:
        for customer in customers:
            if customer.pk not in results:
                results[customer.pk] = SearchResult(customer, matched_on, score)

    identifier_ids = _identifier_matches(query, store)
    if identifier_ids:
        matched = {row.customer_id: row.kind for row in identifier_ids}
        for customer in visible.filter(pk__in=list(matched))[:limit]:
            add([customer], matched[customer.pk], 1.0)
    if not _PHONEISH.match(query) and "@" not in query:
        term = _db_normalised(query)
        by_name = (
            visible.filter(search_name__trigram_word_similar=term)
            .annotate(score=_WordSimilarity(term, F("search_name")))
            .order_by("-score", "family_name", "pk")[:limit]
        )
        for customer in by_name:
            add([customer], "name", float(customer.score))
    return list(results.values())[:limit]


@dataclass(frozen=True)
class _IdentifierMatch:
    customer_id: int
    kind: str


def _identifier_matches(query: str, store: Store | None) -> list[_IdentifierMatch]:
    """Customer ids whose e-mail, phone or loyalty number matches; one query at most."""
    identifiers = CustomerIdentifier.objects.none()
    if "@" in query:
        identifiers = CustomerIdentifier.objects.filter(kind="email", value__startswith=query.lower())
    elif _PHONEISH.match(query):
        digits = re.sub(r"\D", "", query)
        if len(digits) == 4:
            identifiers = CustomerIdentifier.objects.annotate(last4=Right("value", 4)).filter(
                kind="phone", last4=digits
            )
        elif len(digits) >= 6:
            try:
                phone = normalise_phone(query, default_region=store.country if store else None)
            except InvalidIdentifier:
                phone = None
            identifiers = CustomerIdentifier.objects.filter(kind="loyalty", value__startswith=digits)
            if phone:
                identifiers = identifiers | CustomerIdentifier.objects.filter(kind="phone", value=phone)
    elif any(char.isdigit() for char in query):
        try:
            identifiers = CustomerIdentifier.objects.filter(
                kind="loyalty", value__startswith=normalise_loyalty(query)
            )
        except InvalidIdentifier:
            return []
    else:
        return []
    return [
        _IdentifierMatch(customer_id, kind)
        for customer_id, kind in identifiers.values_list("customer_id", "kind")[:50]
    ]
