"""The associate's search: the page whole or as a fragment, only customers she may see, phones and
e-mails as she types them, and names typed as people type them (transposed and doubled letters,
family names before given-name look-alikes, results that tell namesakes apart without showing more
than her card does)."""

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


# The search page: whole or a fragment, consent, phones and e-mails


def test_search_page_renders_whole_for_a_normal_request(signed_in, consenting_customer):
    response = signed_in.post("/customers/", {"q": "okafor"})

    assert response.status_code == 200
    assert b"<html" in response.content
    assert b"<mark>Okafor</mark>" in response.content
    assert response["Vary"] == "HX-Request, Cookie" or "HX-Request" in response["Vary"]


def test_a_query_in_the_url_is_not_searched(signed_in, consenting_customer):
    response = signed_in.get("/customers/", {"q": "okafor"})

    assert response.status_code == 200
    assert str(consenting_customer.public_id).encode() not in response.content
    assert b'method="post"' in response.content


def test_search_fragment_for_htmx_is_only_the_results(signed_in, consenting_customer):
    response = signed_in.post("/customers/", {"q": "zoe okafr"}, **HTMX)

    assert response.status_code == 200
    assert b"<html" not in response.content
    assert b'id="results"' in response.content
    assert str(consenting_customer.public_id).encode() in response.content


def test_search_never_shows_a_customer_without_consent(signed_in, store):
    CustomerFactory(given_name="Zoë", family_name="Okafor", home_store=store)

    response = signed_in.post("/customers/", {"q": "okafor"}, **HTMX)

    assert b"No customer you can see matches" in response.content


def test_search_finds_her_by_the_last_four_digits_of_her_phone(signed_in, consenting_customer):
    IdentifierFactory(customer=consenting_customer, kind="phone", value="+447911123456")

    response = signed_in.post("/customers/", {"q": "3456"}, **HTMX)

    assert str(consenting_customer.public_id).encode() in response.content
    assert b"matched on phone" in response.content


def test_search_finds_her_by_email_prefix_in_any_case(signed_in, consenting_customer):
    IdentifierFactory(customer=consenting_customer, kind="email", value="zoe.okafor@example.com")

    response = signed_in.post("/customers/", {"q": "Zoe.Oka@"}, **HTMX)
    assert b"No customer" in response.content  # "zoe.oka@" is not a prefix of the address

    response = signed_in.post("/customers/", {"q": "ZOE.OKAFOR@EX"}, **HTMX)
    assert str(consenting_customer.public_id).encode() in response.content


def test_a_few_letters_find_the_names_that_start_with_them_in_order(signed_in, store, grant):
    people = {}
    for given in ("Carol", "Oscar", "Cara"):
        people[given] = CustomerFactory(given_name=given, family_name="Lind", home_store=store)
        grant(people[given], store=store)

    response = signed_in.post("/customers/", {"q": "car"}, **HTMX)

    found = [given for given, c in people.items() if str(c.public_id).encode() in response.content]
    assert sorted(found) == ["Cara", "Carol"]  # a start, not a middle
    position = {given: response.content.index(str(people[given].public_id).encode()) for given in found}
    assert position["Cara"] < position["Carol"]


def test_the_last_four_digits_find_her_among_many_she_may_not_see(
    signed_in, consenting_customer, other_store
):
    """Customers of other stores sharing her last four digits must not crowd her out of the results."""
    for n in range(60):
        IdentifierFactory(
            customer=CustomerFactory(home_store=other_store), kind="phone", value=f"+4479111{n:02d}456"
        )
    IdentifierFactory(customer=consenting_customer, kind="phone", value="+447911999456")

    response = signed_in.post("/customers/", {"q": "9456"}, **HTMX)

    assert str(consenting_customer.public_id).encode() in response.content


def test_search_requires_sign_in(client):
    assert client.post("/customers/", {"q": "okafor"}).status_code == 302
