"""Names typed as people type them: transposed and doubled letters, family names before given-name
look-alikes, and results that tell namesakes apart without showing more than her card does."""

from datetime import timedelta

import pytest
from django.utils import timezone

from customers.models import StoreRelationship, ValueTier
from tests.factories import CustomerFactory, IdentifierFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def people(store, grant):  # type: ignore[no-untyped-def]
    def person(given: str, family: str):  # type: ignore[no-untyped-def]
        customer = CustomerFactory(given_name=given, family_name=family, home_store=store)
        grant(customer, store=store)
        return customer

    return person


@pytest.fixture
def signed_in(client, associate):  # type: ignore[no-untyped-def]
    client.force_login(associate)
    return client


def found(response, *customers) -> list[int]:  # type: ignore[no-untyped-def]
    """Where each customer's card link is in the results (-1: not there)."""
    return [response.content.find(str(c.public_id).encode()) for c in customers]


def test_two_letters_swapped_still_find_every_smith(signed_in, people):
    smiths = [people(given, "Smith") for given in ("Anna", "Ben", "Carla", "Dev")]
    people("Anna", "Mitchell")

    response = signed_in.post("/customers/", {"q": "Smtih"}, **HTMX)

    assert all(at >= 0 for at in found(response, *smiths))


def test_a_doubled_letter_or_a_swapped_pair_in_a_full_name_finds_her(signed_in, people):
    her = people("Carol", "Jones")

    for typed in ("Jonnes", "Carol Jnoes", "Croal Jones"):
        response = signed_in.post("/customers/", {"q": typed}, **HTMX)
        assert found(response, her)[0] >= 0, typed


def test_the_family_name_typed_lists_the_joneses_before_jon_and_jonathan(signed_in, people):
    jon, jonathan = people("Jon", "Hale"), people("Jonathan", "Price")
    joneses = [people("Mary", "Jones"), people("Tom", "Jones")]

    for typed in ("Jonse", "Jones"):
        response = signed_in.post("/customers/", {"q": typed}, **HTMX)
        first_other = min(at for at in found(response, jon, jonathan) if at >= 0)
        assert all(0 <= at < first_other for at in found(response, *joneses)), typed


def test_namesakes_are_told_apart_by_tier_last_visit_and_a_masked_contact(signed_in, people, store):
    first, second = people("Ruth", "Bradshaw"), people("Ruth", "Bradshaw")
    IdentifierFactory(customer=first, kind="phone", value="+447911124821")
    IdentifierFactory(customer=second, kind="email", value="ruth.b@example.org")
    StoreRelationship.objects.update_or_create(
        customer=first, store=store,
        defaults={"tier": ValueTier.PRIVATE_CLIENT, "last_activity_at": timezone.now() - timedelta(days=3)},
    )  # fmt: skip

    page = signed_in.post("/customers/", {"q": "ruth bradshaw"}, **HTMX).content.decode()

    assert "Private client" in page
    assert "last visit" in page
    assert "•••• 4821" in page
    assert "+447911124821" not in page
    assert "07911" not in page
    assert "r•••@example.org" in page
    assert "ruth.b@" not in page
    assert store.city in page


def test_a_search_with_details_costs_a_fixed_number_of_queries(signed_in, people, django_assert_num_queries):
    for n in range(12):
        customer = people("Ruth", f"Bradshaw{'e' * (n % 3)}")
        IdentifierFactory(customer=customer, kind="phone", value=f"+4479111248{n:02d}")

    signed_in.post("/customers/", {"q": "ruth"}, **HTMX)  # her session, settled by a first search

    # session, user, store, the unaccented query, the names (those with every word's letters, then
    # trigram matches), the details, the listing's audit event
    with django_assert_num_queries(8):
        signed_in.post("/customers/", {"q": "ruth bradshaw"}, **HTMX)
