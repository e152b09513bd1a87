"""Every dashboard figure against a small story computed by hand (London, March 2026, a 14-day
attribution window): the live figures (``managers.figures``, kept for the benchmarks), and the page
and its CSV export, read from the rollups with today's slice computed live; who may see what."""

import csv
import io
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from consent.models import PurposeCode
from customers.models import StoreRelationship, ValueTier
from managers import rollups
from managers.figures import Figures, Period, figures
from relationships.models import FollowUp, Interaction
from suggestions.models import Feedback
from tests.factories import CustomerFactory, OrderFactory, OrderLineFactory, ProductFactory, UserFactory

pytestmark = pytest.mark.django_db
QUERY = {"start": "2026-03-01", "end": "2026-03-31"}
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
    return {"a": a, "b": b, "c": c, "p2": p2}


@pytest.fixture
def rolled_up(story, settings):  # type: ignore[no-untyped-def]
    """The story's rollups, as the nightly pass leaves them after 31 March."""
    settings.ATTRIBUTION_DAYS = 14
    rollups.rebuild(date(2026, 2, 1), date(2026, 4, 10))
    rollups.snapshot(date(2026, 3, 31))
    return story


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


def test_the_page_and_its_csv_export_which_no_spreadsheet_runs(client, manager, rolled_up, store):
    store.name = '=HYPERLINK("http://evil")'
    store.save()
    client.force_login(manager)
    query = {"store": store.code, **QUERY}

    page = client.get(reverse("managers:dashboard"), query)
    export = client.get(reverse("managers:dashboard"), query | {"format": "csv"})

    assert page.status_code == 200
    html = page.content.decode()
    # Visits: A, B, C; A had opted in, and so had C on the 12th (she withdrew on the 20th).
    assert "2 of the 3 visits by identified customers" in html
    assert "£110.00" in html  # A's P1 (60) and B's P1 (50) after being shown them
    assert "£20.00" in html  # C's order after a message; A's web order after a call falls in April
    assert "as of the end of 31 Mar 2026" in html
    assert "<svg" in html
    assert 'aria-label="Visits per week, from 23 Feb to 30 Mar; highest 2"' in html
    assert "cdn" not in html.lower()
    assert "window" not in page.context["form"].fields  # the rollups' window, not a choice
    rows = list(csv.reader(io.StringIO(export.content.decode())))
    assert rows[0] == ["stores", "from", "to", "figure", "value"]
    assert all(row[0].startswith("'=") for row in rows[1:])
    values = {row[3]: row[4] for row in rows[1:]}
    assert values["opt-in rate"] == "0.6667"
    assert values["opt-ins"] == "0"  # A's, B's and C's grants were not made in a store
    assert values["standing figures as of"] == "2026-03-31"
    assert values["sales from suggestions"] == "110.00"
    assert values["sales after outreach"] == "20.00"
    assert AuditEvent.objects.filter(action="dashboard.exported", actor=manager).count() == 1


# The session, the user, her stores and the current one; the days' sums, the snapshots, the associates,
# the weeks, today's slice (two), the associates' names, their occasions and the campaigns.
QUERIES = 13
TODAY = datetime(2026, 3, 20, 15, 0, tzinfo=UTC)  # 15:00 in London, 16:00 in Paris


STANDING = (
    "consents",
    "as_of",
    "customers",
    "private_clients",
    "private_clients_assigned",
    "private_clients_contacted",
)


def added(*parts: Figures) -> dict[str, object]:
    """The additive figures added up, associates by user, for comparing (the standing ones, from a
    snapshot, are not: compare them apart)."""
    total: dict[str, object] = {}
    for f in parts:
        for name, value in asdict(f).items():
            if name == "associates" or name in STANDING:
                continue
            total[name] = total.get(name, 0) + value  # type: ignore[operator]
    team: dict[int, tuple[int, int]] = {}
    for f in parts:
        for a in f.associates:
            o, d = team.get(a.user.pk, (0, 0))
            team[a.user.pk] = (o + a.outreach, d + a.follow_ups_done)
    return total | {"team": team}


def test_the_page_adds_todays_live_slice_to_the_rollups_of_the_days_before(
    client, manager, rolled_up, store, other_store, associate, grant, monkeypatch
):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(timezone, "now", lambda: TODAY)
    a, b = rolled_up["a"], rolled_up["b"]
    rollups.today(TODAY)  # the five-minute pass ran at 15:00; then, today:
    grant(
        CustomerFactory(home_store=store), [PurposeCode.PROFILE], at=TODAY - timedelta(minutes=1), store=store
    )
    OrderFactory(customer=b, store=store, placed_at=TODAY - timedelta(minutes=2), total_amount=Decimal("5"))
    Interaction.objects.create(
        customer=a, store=store, associate=associate, kind="call", occurred_at=TODAY - timedelta(minutes=3)
    )
    Feedback.objects.create(customer=b, product=rolled_up["p2"], kind="shown", at=TODAY, store=store)
    admin = UserFactory(username="root", role="admin", is_staff=True)
    client.force_login(admin)
    ids = [store.pk, other_store.pk]

    f = client.get(
        reverse("managers:dashboard"), {"store": "all", "start": "2026-03-01", "end": "2026-03-20"}
    )
    shown = f.context["f"]

    before = rollups.figures_from_rollups(ids, date(2026, 3, 1), date(2026, 3, 20))
    live = rollups.dashboard(ids, date(2026, 3, 20), date(2026, 3, 21), TODAY).figures
    assert added(shown) == added(before, live)
    assert (live.visitors, live.opt_ins, live.shown) == (1, 1, 1)  # today's rows, not the stale pass's
    assert [x.day for x in rollups.dashboard(ids, date(2026, 3, 1), date(2026, 3, 21), TODAY).today] == [
        date(2026, 3, 20)
    ]
    rollups.rebuild(date(2026, 3, 20), date(2026, 3, 21))  # what today's rollup now holds
    assert added(shown) == added(rollups.figures_from_rollups(ids, date(2026, 3, 1), date(2026, 3, 21)))
    assert shown.as_of == date(2026, 3, 19)  # the five-minute pass took the snapshot of the eve
    assert [getattr(shown, name) for name in STANDING] == [getattr(before, name) for name in STANDING]
    weeks = f.context["weeks"]
    assert sum(w.visits for w in weeks) == shown.visitors
    assert sum(w.outreach for w in weeks) == sum(x.outreach for x in shown.associates)
    assert weeks[-1].start == date(2026, 3, 16)


def test_todays_slice_follows_each_stores_own_day(rolled_up, store, other_store):
    other_store.timezone = "Pacific/Auckland"  # 13 hours ahead: at 15:00 UTC on the 20th, it is the 21st
    other_store.save()

    board = rollups.dashboard([store.pk, other_store.pk], date(2026, 3, 1), date(2026, 3, 22), TODAY)

    assert [x.day for x in board.today] == [date(2026, 3, 20), date(2026, 3, 21)]


def test_the_page_costs_as_many_queries_for_a_year_of_the_chain_as_for_a_day_of_a_store(
    client, rolled_up, store, django_assert_num_queries, monkeypatch
):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(timezone, "now", lambda: TODAY)
    admin = UserFactory(username="root", role="admin", is_staff=True)
    client.force_login(admin)
    url = reverse("managers:dashboard")
    client.get(url, {"store": store.code})  # the session warmed

    with django_assert_num_queries(QUERIES):
        client.get(url, {"store": store.code, "start": "2026-03-15", "end": "2026-03-20"})
    with django_assert_num_queries(QUERIES):
        client.get(url, {"store": "all", "start": "2025-03-20", "end": "2026-03-20"})
    with django_assert_num_queries(QUERIES + 1):  # and the export's audit event
        client.get(url, {"store": "all", "start": "2025-03-20", "end": "2026-03-20", "format": "csv"})
    with django_assert_num_queries(QUERIES - 2):  # a period that is over: no live slice
        client.get(url, {"store": "all", "start": "2025-03-01", "end": "2026-03-01"})


def test_associates_get_a_403_and_a_manager_sees_only_her_stores(
    client, associate, manager, other_store, story
):
    client.force_login(associate)
    assert client.get(reverse("managers:dashboard")).status_code == 403

    client.force_login(manager)
    page = client.get(reverse("managers:dashboard"), {"store": other_store.code, **QUERY})
    assert page.status_code == 200
    assert [s.code for s in page.context["stores"]] == ["london"]  # Paris is not hers: not a choice


def test_an_admin_sees_the_whole_chain(client, rolled_up, store, other_store):
    admin = UserFactory(username="root", role="admin", is_staff=True)
    client.force_login(admin)

    page = client.get(reverse("managers:dashboard"), {"store": "all", **QUERY})

    assert {s.code for s in page.context["stores"]} == {"london", "paris"}
    assert page.context["f"].visitors == 4


def test_sales_are_shown_in_the_stores_currency_and_never_added_up_across_currencies_unsaid(
    client, rolled_up, store, other_store
):
    admin = UserFactory(username="root", role="admin", is_staff=True)
    client.force_login(admin)

    london = client.get(reverse("managers:dashboard"), {"store": store.code, **QUERY}).content.decode()
    chain = client.get(reverse("managers:dashboard"), {"store": "all", **QUERY}).content.decode()

    assert "£110.00" in london
    assert "several currencies" not in london
    assert "£" not in chain  # London's pounds and Paris's euros
    assert "These stores sell in several currencies: the amounts are added as they are." in chain
