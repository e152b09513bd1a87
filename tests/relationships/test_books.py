"""Client books: who looks after whom, assigned one by one, in bulk by filter, or a leaving
associate's whole book; the top tier without an owner; scope, consent and stale lists."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from customers.models import StoreRelationship, ValueTier
from relationships import books
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db
BOOKS = reverse("managers:books")


@pytest.fixture
def clients(store, grant):  # type: ignore[no-untyped-def]
    """Six consenting customers of the store: two private clients, two preferred, two clients."""
    people = []
    for n, (tier, spend) in enumerate(
        [
            (ValueTier.PRIVATE_CLIENT, 9000),
            (ValueTier.PRIVATE_CLIENT, 8000),
            (ValueTier.PREFERRED, 3000),
            (ValueTier.PREFERRED, 2500),
            (ValueTier.CLIENT, 300),
            (ValueTier.CLIENT, 100),
        ]
    ):
        customer = CustomerFactory(given_name=f"Client{n}", family_name="Test", home_store=store)
        grant(customer, store=store)
        StoreRelationship.objects.create(customer=customer, store=store, tier=tier, spend_12m=spend)
        people.append(customer)
    return people


def signed_in(client: Client, user) -> Client:  # type: ignore[no-untyped-def]
    client.force_login(user)
    return client


def owners(store) -> dict[int, int | None]:  # type: ignore[no-untyped-def]
    return dict(
        StoreRelationship.objects.filter(store=store).values_list("customer_id", "assigned_associate_id")
    )


def test_the_unowned_private_clients_are_shown_until_someone_looks_after_them(
    client, manager, associate, store, clients
):
    signed_in(client, manager)
    page = client.get(BOOKS)
    assert "Private clients without an owner: 2" in page.content.decode()

    response = client.post(
        reverse("managers:assign"),
        {
            "store": store.code,
            "associate": associate.pk,
            "scope": "ticked",
            "customer": [clients[0].pk, clients[1].pk],
        },
    )

    assert response.status_code == 302
    assert "Private clients without an owner: 0" in client.get(BOOKS).content.decode()
    assert owners(store)[clients[0].pk] == associate.pk
    events = AuditEvent.objects.filter(action="client_book.assigned").order_by("customer_id")
    assert [(e.customer_id, e.detail) for e in events] == [
        (clients[0].pk, {"associate": associate.pk, "previous": None}),
        (clients[1].pk, {"associate": associate.pk, "previous": None}),
    ]


def test_assigning_everyone_a_filter_matches_and_a_list_that_changed_meanwhile_is_a_409(
    client, manager, associate, teammate, store, clients
):
    signed_in(client, manager)
    query = f"store={store.code}&tier=preferred"
    assert client.get(f"{BOOKS}?{query}").context["page"].paginator.count == 2

    response = client.post(
        reverse("managers:assign"),
        {"store": store.code, "associate": teammate.pk, "scope": "all", "expected": 2, "query": query},
    )
    assert response.status_code == 302
    assert response["Location"] == f"{BOOKS}?{query}"
    assert [owners(store)[c.pk] for c in clients[2:4]] == [teammate.pk, teammate.pk]

    StoreRelationship.objects.filter(customer=clients[4]).update(tier=ValueTier.PREFERRED)  # meanwhile
    stale = client.post(
        reverse("managers:assign"),
        {"store": store.code, "associate": associate.pk, "scope": "all", "expected": 2, "query": query},
    )
    assert stale.status_code == 409
    assert "3 customers match now" in stale.content.decode()
    assert owners(store)[clients[4].pk] is None


def test_filters_by_last_contact_owner_and_home_store(manager, associate, store, other_store, clients, grant):
    StoreRelationship.objects.filter(customer=clients[0]).update(last_contacted_at=timezone.now())
    StoreRelationship.objects.filter(customer=clients[1]).update(
        last_contacted_at=timezone.now() - timedelta(days=100)
    )
    books.assign(by=manager, store=store, customer_ids=[clients[2].pk], associate=associate)
    visitor = CustomerFactory(home_store=other_store)
    grant(visitor, store=other_store)
    StoreRelationship.objects.create(customer=visitor, store=store, tier=ValueTier.CLIENT)

    def shown(**filters: str) -> set[int]:
        return set(books.book(manager, store, books.BookFilters(**filters)).values_list("pk", flat=True))

    everyone = {c.pk for c in clients} | {visitor.pk}
    assert shown() == everyone
    assert shown(contact="never") == everyone - {clients[0].pk, clients[1].pk}
    assert shown(contact="90") == everyone - {clients[0].pk}
    assert shown(owner=str(associate.pk)) == {clients[2].pk}
    assert shown(owner="unassigned") == everyone - {clients[2].pk}
    assert shown(home="elsewhere") == {visitor.pk}


def test_a_leaving_associates_book_is_spread_evenly_best_clients_dealt_round(
    manager, associate, teammate, store, clients
):
    newcomer = UserFactory(username="nia", first_name="Nia", role="associate", stores=[store])
    books.assign(by=manager, store=store, customer_ids=[c.pk for c in clients], associate=associate)
    books.assign(by=manager, store=store, customer_ids=[], associate=teammate)

    moved = books.hand_over_book(by=manager, store=store, leaving=associate, to=None)

    assert moved == 6
    book = owners(store)
    assert associate.pk not in book.values()
    assert sorted(list(book.values()).count(pk) for pk in (teammate.pk, newcomer.pk)) == [3, 3]
    assert {book[clients[0].pk], book[clients[1].pk]} == {teammate.pk, newcomer.pk}  # one top client each


def test_a_book_handed_to_one_colleague_moves_whole(manager, associate, teammate, store, clients):
    books.assign(by=manager, store=store, customer_ids=[c.pk for c in clients[:3]], associate=associate)

    assert books.hand_over_book(by=manager, store=store, leaving=associate, to=teammate) == 3
    assert list(owners(store).values()).count(teammate.pk) == 3


def test_only_customers_she_may_see_and_only_her_team(client, manager, store, other_store, clients, withdraw):
    withdraw(clients[0])
    outsider = UserFactory(username="paul", role="associate", stores=[other_store])
    signed_in(client, manager)

    hidden = client.post(
        reverse("managers:assign"),
        {"store": store.code, "associate": "", "scope": "ticked", "customer": [clients[0].pk, clients[1].pk]},
    )
    stranger = client.post(
        reverse("managers:assign"),
        {"store": store.code, "associate": outsider.pk, "scope": "ticked", "customer": [clients[1].pk]},
    )

    assert hidden.status_code == 400
    assert stranger.status_code == 400
    assert not AuditEvent.objects.filter(action="client_book.assigned").exists()
    assert clients[0].display_name not in client.get(BOOKS).content.decode()


def test_associates_get_a_403_and_another_stores_books_are_a_404(
    client, associate, manager, other_store, clients
):
    assert signed_in(client, associate).get(BOOKS).status_code == 403
    assert signed_in(Client(), manager).get(BOOKS, {"store": other_store.code}).status_code == 404


def test_the_page_costs_the_same_queries_for_6_customers_or_30(
    client, manager, store, clients, grant, django_assert_max_num_queries
):
    signed_in(client, manager)
    with django_assert_max_num_queries(30) as six:
        client.get(BOOKS)
    for _ in range(24):
        customer = CustomerFactory(home_store=store)
        grant(customer, store=store)
    with django_assert_max_num_queries(len(six.captured_queries)):
        page = client.get(BOOKS)
    assert page.context["page"].paginator.count == 30
