"""Finding a customer from what the associate types: a name (typos welcome), e-mail, phone, loyalty number."""

import re
from dataclasses import dataclass, replace
from datetime import datetime

from django.db import connection
from django.db.models import (
    F,
    FloatField,
    Func,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Collate, Right

from accounts.models import User
from common import prepared
from consent.selectors import customers_visible_to
from customers.identifiers import InvalidIdentifier, normalise_loyalty, normalise_phone
from customers.models import Customer, CustomerIdentifier, ValueTier
from customers.name_keys import NameKeys, query_keys
from identity.selectors import mask
from stores.models import Store

MIN_QUERY = 2
MIN_FUZZY = 5  # shorter queries match the start of names; longer ones tolerate typos
MAX_QUERY = 100
_PHONEISH = re.compile(r"^[+\d\s().-]+$")


@dataclass(frozen=True)
class SearchResult:
    customer: Customer
    matched_on: str  # "name", "email", "phone", "loyalty"
    score: float
    # What tells namesakes apart, no more than her card shows (``with_details``).
    tier: str = ""  # her tier's label at this store, "" for a client like any other
    last_visit: datetime | None = None  # her latest activity at this store
    contact_hint: str = ""  # "•••• 4821", else "z•••@example.org"


class _WordSimilarity(Func):
    """pg_trgm's word_similarity(query, search_name): how well the query matches part of the name."""

    function = "word_similarity"
    output_field = FloatField()


def search_customers(
    user: User, query: str, *, store: Store | None = None, limit: int = 20
) -> list[SearchResult]:
    """Customers ``user`` may see that match ``query``, best first; identifier matches beat names."""
    query = " ".join(query.split())[:MAX_QUERY]
    if len(query) < MIN_QUERY:
        return []
    visible = customers_visible_to(user, among_few=True).select_related("home_store")
    results: dict[int, SearchResult] = {}

    def add(customers: list[Customer], matched_on: str, score: float) -> None:
        for customer in customers:
            if customer.pk not in results:
                results[customer.pk] = SearchResult(customer, matched_on, score)

    identifiers = _identifier_matches(query, store)
    if identifiers is not None:
        # Scoped before the limit: a common last-four must not crowd out the customers she may see.
        found = list(
            visible.filter(pk__in=identifiers.values("customer_id")).order_by("family_name", "pk")[:limit]
        )
        kinds = dict(
            identifiers.filter(customer_id__in=[c.pk for c in found]).values_list("customer_id", "kind")
        )
        for customer in found:
            add([customer], kinds.get(customer.pk, "name"), 1.0)
    if not _PHONEISH.match(query) and "@" not in query:
        term = _normalised(query)
        if len(term) < MIN_FUZZY:
            # Too short to be a name with a typo: names starting with it, in order, from the index.
            starts = (
                visible.alias(name_c=Collate("search_name", "C"))
                .filter(name_c__startswith=term)
                .order_by("name_c", "pk")[:limit]
            )
            add(list(starts), "name", 1.0)
        else:
            # Names holding every typed word's letters (transposed or doubled letters, which trigrams
            # miss: customers/name_keys.py) come first, so "Jonse" lists the Joneses before Jon and
            # Jonathan; then trigram matches (most typos). Two statements, each through its own
            # index: in one, PostgreSQL rechecks each trigram candidate against the keys too,
            # computing them per row (14 µs each, 40 ms for a common name at a million customers).
            keys = query_keys(term)
            by_score = ("-score", "family_name", "pk")
            scored = visible.annotate(score=_WordSimilarity(Value(term), F("search_name")))
            same_letters = (
                list(
                    scored.alias(name_keys=NameKeys(F("search_name")))
                    .filter(Q(name_keys__contains=keys))
                    .order_by(*by_score)[:limit]
                )
                if keys
                else []
            )
            for customer in same_letters:
                add([customer], "name", float(customer.score))
            if len(results) < limit:
                # At most len(same_letters) of these are among those already found.
                similar = scored.filter(search_name__trigram_word_similar=term).order_by(*by_score)
                for customer in similar[: limit + len(same_letters)]:
                    add([customer], "name", float(customer.score))
    return list(results.values())[:limit]


# Per result: her tier and latest activity at the store, her first phone and e-mail (primary first).
_DETAILS_SQL = """
    SELECT c.id, r.tier, r.last_activity_at,
           (SELECT i.value FROM customers_customeridentifier i
             WHERE i.customer_id = c.id AND i.kind = 'phone' ORDER BY i.is_primary DESC, i.id LIMIT 1),
           (SELECT i.value FROM customers_customeridentifier i
             WHERE i.customer_id = c.id AND i.kind = 'email' ORDER BY i.is_primary DESC, i.id LIMIT 1)
    FROM customers_customer c
    LEFT JOIN customers_storerelationship r ON r.customer_id = c.id AND r.store_id = %(store)s
    WHERE c.id = ANY(%(ids)s)
"""


def with_details(results: list[SearchResult], store: Store | None) -> list[SearchResult]:
    """``results`` with what tells namesakes apart: her tier and latest visit at ``store``, and a
    masked hint of her phone (else e-mail). One prepared statement, whatever the number of results."""
    if not results:
        return results
    ids = [result.customer.pk for result in results]
    params = {"store": store.pk if store else None, "ids": ids}
    rows = {row[0]: row[1:] for row in prepared.fetch_all(_DETAILS_SQL, params)}
    labels = dict(ValueTier.choices)
    detailed = []
    for result in results:
        tier, last_visit, phone, email = rows[result.customer.pk]
        detailed.append(
            replace(
                result,
                tier=str(labels[tier]) if tier and tier != ValueTier.CLIENT else "",
                last_visit=last_visit,
                contact_hint=_hint(phone, email),
            )
        )
    return detailed


def _hint(phone: str | None, email: str | None) -> str:
    if phone:
        return mask("phone", phone)
    return mask("email", email) if email else ""


def _normalised(term: str) -> str:
    """The query as the database folds names (lower case, no accents), as a constant the planner
    can match against the indexes."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT public.clienteling_unaccent(lower(%s))", [term])
        return str(cursor.fetchone()[0])


def _identifier_matches(query: str, store: Store | None) -> QuerySet[CustomerIdentifier] | None:
    """The e-mails, phones or loyalty numbers the query can match (a lazy query), or None."""
    if "@" in query:
        return CustomerIdentifier.objects.filter(kind="email", value__startswith=query.lower())
    if _PHONEISH.match(query):
        digits = re.sub(r"\D", "", query)
        if len(digits) == 4:
            return CustomerIdentifier.objects.annotate(last4=Right("value", 4)).filter(
                kind="phone", last4=digits
            )
        if len(digits) >= 6:
            try:
                phone = normalise_phone(query, default_region=store.country if store else None)
            except InvalidIdentifier:
                phone = None
            identifiers = CustomerIdentifier.objects.filter(kind="loyalty", value__startswith=digits)
            if phone:
                identifiers = identifiers | CustomerIdentifier.objects.filter(kind="phone", value=phone)
            return identifiers
        return None
    if any(char.isdigit() for char in query):
        try:
            return CustomerIdentifier.objects.filter(
                kind="loyalty", value__startswith=normalise_loyalty(query)
            )
        except InvalidIdentifier:
            return None
    return None
