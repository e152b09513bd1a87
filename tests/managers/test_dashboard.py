"""Every dashboard figure against a small story computed by hand (London, March 2026, a 14-day
attribution window), the CSV export, and who may see what."""

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from consent.models import PurposeCode
from customers.models import StoreRelationship, ValueTier
from managers.figures import Period, figures
from relationships.models import FollowUp, Interaction
from suggestions.models import Feedback
from tests.factories import CustomerFactory, OrderFactory, OrderLineFactory, ProductFactory, UserFactory

pytestmark = pytest.mark.django_db
QUERY = {"start": "2026-03-01", "end": "2026-03-31", "window": 14}
MARCH = Period(start=datetime(2026, 3, 1, tzinfo=UTC), end=datetime(2026, 4, 1, tzinfo=UTC), window_days=14)


def at(month: int, day: int) -> datetime:
    return datetime(2026, month, day, 12, 0, tzinfo=UTC)


@pytest.fixture
def story(store, other_store, associate, teammate, grant, withdraw):  # type: ignore[no-untyped-def]
    a, b, c, e = (CustomerFactory(home_store=store) for _ in range(4))
    d = CustomerFactory(home_store=other_store)
    grant(a, at=at(2, 1))
    grant(b, at=at(4, 5))  # after March: not consenting by its end
    grant(c, at=at(1, 1))
    withdraw(c, at=at(3, 20))  # her last decision before April is a withdrawal
    p1, p2, p3 = ProductFactory(), ProductFactory(), ProductFactory()

    # Visitors: A, B and C bought in London in March; D only in Paris; E before March; a guest.
    a_order = OrderFactory(customer=a, store=store, placed_at=at(3, 5), total_amount=Decimal("100"))
    OrderLineFactory(order=a_order, product=p1, amount=Decimal("60"))
    OrderLineFactory(order=a_order, product=p3, amount=Decimal("40"))
    b_order = OrderFactory(customer=b, store=store, placed_at=at(3, 10), total_amount=Decimal("50"))
    OrderLineFactory(order=b_order, product=p1, amount=Decimal("50"))
    OrderFactory(customer=c, store=store, placed_at=at(3, 12), total_amount=Decimal("20"))
    OrderFactory(customer=d, store=other_store, placed_at=at(3, 7))
    OrderFactory(customer=e, store=store, placed_at=at(2, 20))
    OrderFactory(customer=None, store=store, placed_at=at(3, 15))
    OrderFactory(customer=a, channel="web", store=None, placed_at=at(4, 2), total_amount=Decimal("30"))

    # Private clients: A (owned, called on 25 March), B (no owner, last called in January); C is
    # preferred, sent a message on 8 March.
    StoreRelationship.objects.create(
        customer=a, store=store, tier=ValueTier.PRIVATE_CLIENT, assigned_associate=associate
    )
    StoreRelationship.objects.create(customer=b, store=store, tier=ValueTier.PRIVATE_CLIENT)
    StoreRelationship.objects.create(customer=c, store=store, tier=ValueTier.PREFERRED)

    def contact(customer, kind, when, who=associate, where=store):  # type: ignore[no-untyped-def]
        Interaction.objects.create(customer=customer, store=where, associate=who, kind=kind, occurred_at=when)

    contact(a, "call", at(3, 25))
    contact(c, "message", at(3, 8))
    contact(b, "call", at(1, 15))
    contact(c, "visit", at(3, 9), who=teammate)
    contact(d, "call", at(3, 9), who=teammate, where=other_store)
    for who, when in ((teammate, at(3, 15)), (associate, at(2, 28))):
        FollowUp.objects.create(
            customer=a,
            store=store,
            assigned_to=who,
            title="Call back",
            due_on=date(2026, 3, 1),
            status="done",
            done_at=when,
            done_by=who,
        )

    def feedback(customer, product, kind, when, where=store):  # type: ignore[no-untyped-def]
        Feedback.objects.create(customer=customer, product=product, kind=kind, at=when, store=where)

    feedback(a, p1, "shown", at(3, 3))
    feedback(a, p1, "shown", at(3, 6))
    feedback(a, p2, "shown", at(3, 4))
    feedback(b, p1, "shown", at(3, 9))
    feedback(c, p1, "shown", at(3, 9), where=other_store)
    feedback(a, p1, "liked", at(3, 3))
    return {"a": a, "b": b, "c": c}


def test_each_figure_matches_the_story(story, store, associate, teammate):
    f = figures([store.pk], MARCH)

    assert (f.visitors, f.visitors_consenting) == (3, 1)  # A, B, C bought; only A had opted in
    assert f.opt_in_rate == pytest.approx(1 / 3)
    assert f.customers == 4  # A, B, C, E have London as their home store
    assert f.consents == dict.fromkeys(PurposeCode.values, 2)  # A and B, today
    assert (f.private_clients, f.private_clients_assigned, f.private_clients_contacted) == (2, 1, 1)
    team = [(x.user, x.outreach, x.follow_ups_done) for x in f.associates]
    assert team == [(associate, 2, 0), (teammate, 0, 1)]
    assert (f.shown, f.liked, f.bought) == (3, 1, 2)  # A+P1, A+P2, B+P1; A liked P1; A and B bought P1
    assert f.suggestion_sales == Decimal("110")  # 60 + 50
    # C's 20 after a message, A's 30 (online, in April) after a call; B was not contacted
    assert (f.outreach_orders, f.outreach_sales) == (2, Decimal("50"))


def test_the_figures_cost_seven_queries_whatever_the_data(
    story, store, other_store, django_assert_num_queries
):
    with django_assert_num_queries(7):  # six figures and the associates' names
        figures([store.pk, other_store.pk], MARCH)


def test_the_chain_view_adds_paris(story, store, other_store):
    f = figures([store.pk, other_store.pk], MARCH)

    assert f.visitors == 4  # and D
    assert f.shown == 4  # and C+P1 in Paris


def test_the_page_and_its_csv_export_which_no_spreadsheet_runs(client, manager, story, store):
    store.name = '=HYPERLINK("http://evil")'
    store.save()
    client.force_login(manager)
    query = {"store": store.code, **QUERY}

    page = client.get(reverse("managers:dashboard"), query)
    export = client.get(reverse("managers:dashboard"), query | {"format": "csv"})

    assert page.status_code == 200
    html = page.content.decode()
    assert "1 of the 3 identified customers" in html
    assert "£110.00" in html
    assert "£50.00" in html
    assert "<svg" in html
    assert "cdn" not in html.lower()
    rows = list(csv.reader(io.StringIO(export.content.decode())))
    assert rows[0] == ["stores", "from", "to", "figure", "value"]
    assert all(row[0].startswith("'=") for row in rows[1:])
    values = {row[3]: row[4] for row in rows[1:]}
    assert values["opt-in rate"] == "0.3333"
    assert values["sales from suggestions"] == "110.00"
    assert AuditEvent.objects.filter(action="dashboard.exported", actor=manager).count() == 1


def test_associates_get_a_403_and_a_manager_sees_only_her_stores(
    client, associate, manager, other_store, story
):
    client.force_login(associate)
    assert client.get(reverse("managers:dashboard")).status_code == 403

    client.force_login(manager)
    page = client.get(reverse("managers:dashboard"), {"store": other_store.code, **QUERY})
    assert page.status_code == 200
    assert [s.code for s in page.context["stores"]] == ["london"]  # Paris is not hers: not a choice


def test_an_admin_sees_the_whole_chain(client, story, store, other_store):
    admin = UserFactory(username="root", role="admin", is_staff=True)
    client.force_login(admin)

    page = client.get(reverse("managers:dashboard"), {"store": "all", **QUERY})

    assert {s.code for s in page.context["stores"]} == {"london", "paris"}
    assert page.context["f"].visitors == 4
