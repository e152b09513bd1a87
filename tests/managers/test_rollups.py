"""The dashboard's rollups (``managers.rollups``) against the same definitions computed here, plainly,
from the raw rows: a story across London and Paris in March 2026 (a 14-day attribution window),
with orders and opt-ins near local midnight (Paris is an hour ahead of UTC, London from 29 March),
an erasure and a merged profile."""

import threading
import time as clock
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.db.models import Q
from django.utils import timezone

from consent.models import Method, PurposeCode, Verification
from consent.services import record_consent
from customers.models import Customer, StoreRelationship, ValueTier
from managers import rollups
from managers.models import AssociateDay, StoreDay, StoreSnapshot
from managers.tasks import rollup_nightly, rollup_today
from privacy.erasure import erase_customer
from relationships.models import FollowUp, Interaction
from suggestions.models import Feedback
from tests.factories import (
    CollectionPointFactory,
    CustomerFactory,
    OrderFactory,
    OrderLineFactory,
    ProductFactory,
)
from tests.managers.raw_figures import from_rollups, raw

pytestmark = pytest.mark.django_db

FIRST, END = date(2026, 1, 1), date(2026, 4, 20)  # the days the story's rollups are built for


def at(month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


@pytest.fixture(autouse=True)
def window(settings) -> None:  # type: ignore[no-untyped-def]
    settings.ATTRIBUTION_DAYS = 14


@pytest.fixture
def story(store, other_store, associate, teammate, outsider, grant, withdraw, policy):  # type: ignore[no-untyped-def]
    a, b, c, e, f = (CustomerFactory(home_store=store) for _ in range(5))
    d = CustomerFactory(home_store=other_store)
    m = CustomerFactory(home_store=store)  # a second profile of B's, merged into her
    till = CollectionPointFactory(store=other_store, code="till")

    grant(a, at=at(2, 1), store=store)
    grant(b, at=at(4, 5), store=store)
    grant(c, at=at(1, 1))
    withdraw(c, at=at(3, 20))
    grant(e, [PurposeCode.PROFILE], at=at(3, 5, 23, 30), store=store)  # 5 March in London (GMT)
    grant(f, at=at(3, 3), store=store)  # erased below: no longer counted
    grant(m, at=at(2, 10), store=store)
    record_consent(  # 23:30 UTC on 9 March is 10 March in Paris, through a till there
        customer=d,
        purposes=[PurposeCode.PROFILE, PurposeCode.SUGGESTIONS],
        granted=True,
        policy_version=policy,
        method=Method.QR_IN_STORE,
        verification=Verification.SMS_CODE,
        collection_point=till,
        occurred_at=at(3, 9, 23, 30),
    )
    p1, p2, p3 = ProductFactory(), ProductFactory(), ProductFactory()

    def order(customer, when, total="20", where=store, lines=(), **kw):  # type: ignore[no-untyped-def]
        o = OrderFactory(customer=customer, store=where, placed_at=when, total_amount=Decimal(total), **kw)
        for product, amount in lines:
            OrderLineFactory(order=o, product=product, amount=Decimal(amount))
        return o

    order(a, at(3, 5), "100", lines=[(p1, "60"), (p3, "40")])
    order(a, at(3, 5, 20), "10")  # the same day: one visit
    order(a, at(3, 6, 0, 30), "15")  # the next day in London
    order(b, at(3, 10), "50", lines=[(p1, "50")])
    order(c, at(3, 12), "20")
    order(d, at(3, 7, 23, 30), "70", where=other_store)  # 8 March in Paris
    order(d, at(3, 10, 9), "35", where=other_store)  # after a call from Paris
    order(e, at(2, 20))
    order(None, at(3, 15))
    order(f, at(3, 4), "80")
    order(a, at(4, 2), "30", where=None, channel="web")
    order(b, at(3, 30, 23, 30), "25", lines=[(p2, "25")])  # 31 March in London (BST)
    order(a, at(2, 25), "40", lines=[(p3, "40")])

    StoreRelationship.objects.create(
        customer=a, store=store, tier=ValueTier.PRIVATE_CLIENT, assigned_associate=associate
    )
    StoreRelationship.objects.create(customer=b, store=store, tier=ValueTier.PRIVATE_CLIENT)
    StoreRelationship.objects.create(customer=c, store=store, tier=ValueTier.PREFERRED)
    StoreRelationship.objects.create(customer=a, store=other_store, tier=ValueTier.PRIVATE_CLIENT)
    StoreRelationship.objects.create(
        customer=d, store=other_store, tier=ValueTier.PRIVATE_CLIENT, assigned_associate=outsider
    )

    def contact(customer, kind, when, who=associate, where=store):  # type: ignore[no-untyped-def]
        Interaction.objects.create(customer=customer, store=where, associate=who, kind=kind, occurred_at=when)

    contact(a, "call", at(3, 25))
    contact(c, "message", at(3, 8))
    contact(b, "call", at(1, 15))
    contact(c, "visit", at(3, 9), who=teammate)
    contact(d, "call", at(3, 9), who=outsider, where=other_store)
    contact(d, "message", at(3, 9, 23, 15), who=outsider, where=other_store)  # 10 March in Paris
    contact(f, "call", at(3, 2))
    contact(a, "message", at(3, 2, 23, 59), who=teammate)
    for who, when, where in (
        (teammate, at(3, 15), store),
        (associate, at(2, 28, 23, 30), store),
        (outsider, at(3, 31, 22, 30), other_store),  # 1 April in Paris
        (associate, at(3, 5), store),
    ):
        FollowUp.objects.create(
            customer=a,
            store=where,
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
    feedback(b, p2, "shown", at(3, 20))
    feedback(c, p1, "shown", at(3, 9), where=other_store)
    feedback(a, p3, "shown", at(2, 20))
    feedback(a, p3, "shown", at(3, 10))  # first shown in February
    feedback(a, p1, "liked", at(3, 3))
    feedback(b, p1, "liked", at(3, 9))
    feedback(b, p1, "liked", at(3, 11))
    feedback(d, p2, "shown", at(3, 9, 23, 30), where=other_store)  # 10 March in Paris
    feedback(f, p2, "shown", at(3, 3))

    Customer.objects.filter(pk=m.pk).update(merged_into=b, merged_at=at(3, 1))
    erase_customer(f.pk)
    return {"a": a, "b": b, "c": c, "d": d, "p2": p2}


# --- The same definitions, computed plainly from the raw rows ----------------------------------------


def build(first: date = FIRST, end: date = END, snapshots: tuple[date, ...] = ()) -> None:
    rollups.rebuild(first, end)
    for day in snapshots:
        rollups.snapshot(day)


def rows() -> list[tuple[Any, ...]]:
    fields = [f.attname for f in StoreDay._meta.concrete_fields if f.name not in ("id", "computed_at")]
    store_days = list(StoreDay.objects.order_by("store_id", "day").values_list(*fields))
    associate_days = list(
        AssociateDay.objects.order_by("store_id", "day", "associate_id").values_list(
            "store_id", "day", "associate_id", "outreach", "follow_ups_done"
        )
    )
    snapshots = list(
        StoreSnapshot.objects.order_by("store_id", "day").values_list(
            "store_id", "day", "customers", "consents", "private_clients", "private_clients_contacted"
        )
    )
    return [*store_days, *associate_days, *snapshots]


PERIODS = [
    (date(2026, 3, 5), date(2026, 3, 6)),  # a day
    (date(2026, 3, 10), date(2026, 3, 11)),  # a day that starts at 23:00 UTC in Paris
    (date(2026, 3, 31), date(2026, 4, 1)),  # the first whole day of summer time
    (date(2026, 3, 2), date(2026, 3, 9)),  # a week
    (date(2026, 3, 1), date(2026, 4, 1)),  # a month
    (date(2026, 2, 1), date(2026, 4, 15)),  # longer than the window, April's web order included
]


# --- The tests ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("start", "end"), PERIODS)
@pytest.mark.parametrize("which", ["london", "paris", "both"])
def test_the_rollups_give_the_figures_computed_from_the_raw_rows(
    story, store, other_store, which, start, end
):
    stores = {"london": [store], "paris": [other_store], "both": [store, other_store]}[which]
    build(snapshots=(end - timedelta(days=1),))

    assert from_rollups(stores, start, end) == raw(stores, start, end)


def test_the_story_is_what_it_says(story, store, other_store, associate, teammate, outsider):
    build(snapshots=(date(2026, 3, 31),))

    march = rollups.figures_from_rollups([store.pk], date(2026, 3, 1), date(2026, 4, 1))
    paris = rollups.figures_from_rollups([other_store.pk], date(2026, 3, 1), date(2026, 4, 1))

    # A on the 5th and the 6th, B on the 10th and the 31st, C; F's order was detached when she was erased.
    # A's two visits and C's (she withdrew on the 20th, after her visit on the 12th) were consenting.
    assert (march.visitors, march.visitors_consenting) == (5, 3)
    assert march.opt_ins == 1  # E, late on the 5th; F is erased
    # Shown: A+P1, A+P2, B+P1, B+P2 (A+P3 was first shown in February); A liked P1, B liked P1 (twice);
    # A bought P1 (60) two days after, B bought P1 (50) the next day, and P2 (25) ten days after.
    assert (march.shown, march.liked, march.bought) == (4, 2, 3)
    assert march.suggestion_sales == Decimal("135")
    # C's 20 after a message on the 8th; A's 100, 10 and 15 (5th and 6th) after a message late on the 2nd.
    assert (march.outreach_orders, march.outreach_sales) == (4, Decimal("145"))
    team = [(x.user, x.outreach, x.follow_ups_done) for x in march.associates]
    assert team == [(associate, 2, 1), (teammate, 1, 1)]
    assert march.customers == 4  # A, B, C, E (the merged profile is B; F is erased)
    assert march.consents[PurposeCode.SUGGESTIONS] == 2  # A, and B through her merged profile
    assert (march.private_clients, march.private_clients_assigned, march.private_clients_contacted) == (
        2,
        1,
        1,
    )
    assert march.as_of == date(2026, 3, 31)
    assert (paris.visitors, paris.opt_ins, paris.shown) == (2, 1, 2)  # D on the 8th and 10th (Paris)
    assert (paris.outreach_orders, paris.outreach_sales) == (1, Decimal("35"))
    assert [(x.user, x.outreach, x.follow_ups_done) for x in paris.associates] == [(outsider, 2, 0)]
    assert paris.customers == 2  # D, and A as a private client there


def test_rebuilding_twice_gives_the_same_rows(story):
    build(snapshots=(date(2026, 3, 31),))
    once = rows()
    build(snapshots=(date(2026, 3, 31),))

    assert rows() == once
    assert StoreDay.objects.count() == 2 * (END - FIRST).days  # every store, every day, zeros included


def test_rebuilding_a_few_days_leaves_the_others_and_other_stores_alone(story, store, other_store):
    build()
    before = rows()

    rollups.rebuild(date(2026, 3, 5), date(2026, 3, 7), store_ids=[store.pk])

    assert rows() == before


def test_an_order_after_the_day_was_built_counts_once_the_day_is_rebuilt(story, store):
    build(snapshots=(date(2026, 3, 4),))
    day = (date(2026, 3, 4), date(2026, 3, 5))  # A was first shown P2 on the 4th
    assert rollups.figures_from_rollups([store.pk], *day).bought == 0

    late = OrderFactory(customer=story["a"], store=store, placed_at=at(3, 12), total_amount=Decimal("45"))
    OrderLineFactory(order=late, product=story["p2"], amount=Decimal("45"))
    rollups.rebuild(*day)

    f = rollups.figures_from_rollups([store.pk], *day)
    assert (f.bought, f.suggestion_sales) == (1, Decimal("45"))
    assert from_rollups([store], *day) == raw([store], *day)


def test_the_weeks_add_up_to_the_period(story, store, other_store):
    build()
    ids = [store.pk, other_store.pk]
    start, end = date(2026, 3, 1), date(2026, 4, 1)

    weeks = rollups.weekly(ids, start, end)
    total = rollups.figures_from_rollups(ids, start, end)

    assert [w.start for w in weeks][:3] == [date(2026, 2, 23), date(2026, 3, 2), date(2026, 3, 9)]
    assert all(w.start.weekday() == 0 for w in weeks)
    assert len(weeks) == 6
    assert sum(w.visits for w in weeks) == total.visitors
    assert sum(w.shown for w in weeks) == total.shown
    assert sum(w.outreach_sales for w in weeks) == total.outreach_sales
    assert sum(w.outreach for w in weeks) == sum(a.outreach for a in total.associates)
    assert sum(w.follow_ups_done for w in weeks) == sum(a.follow_ups_done for a in total.associates)
    assert weeks[1].visits == 3  # A on the 5th and the 6th, D on the 8th in Paris


def test_a_period_ending_today_shows_last_nights_snapshot(story, store):
    build(snapshots=(date(2026, 3, 30),))

    f = rollups.figures_from_rollups([store.pk], date(2026, 3, 1), date(2026, 4, 1))

    assert f.as_of == date(2026, 3, 30)
    assert f.customers == 4


def test_the_reader_takes_four_queries_whatever_the_period(
    story, store, other_store, django_assert_num_queries
):
    build(snapshots=(date(2026, 3, 31),))

    with django_assert_num_queries(4):  # sums, snapshots, associates, their names
        rollups.figures_from_rollups([store.pk, other_store.pk], date(2026, 1, 1), date(2026, 4, 1))
    with django_assert_num_queries(1):
        rollups.weekly([store.pk, other_store.pk], date(2026, 1, 1), date(2026, 4, 1))


def test_the_tasks_run_and_fill_the_tables(story, store, other_store, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(timezone, "now", lambda: at(3, 20, 3))  # 03:00 on 20 March

    rollup_nightly.delay()
    rollup_today.delay()

    days = set(StoreDay.objects.filter(store=store).values_list("day", flat=True))
    assert days == {date(2026, 3, 20) - timedelta(days=n) for n in range(16)}  # 15 days and today
    assert set(StoreSnapshot.objects.values_list("store_id", "day")) == {
        (store.pk, date(2026, 3, 19)),
        (other_store.pk, date(2026, 3, 19)),
    }
    assert AssociateDay.objects.exists()
    assert from_rollups([store], date(2026, 3, 5), date(2026, 3, 20)) == raw(
        [store], date(2026, 3, 5), date(2026, 3, 20)
    )


def test_the_backfill_command_says_what_it_built(story, capsys):  # type: ignore[no-untyped-def]
    call_command("rollup_dashboard", "--since", "2026-03-01", "--until", "2026-04-05")

    out = capsys.readouterr().out
    assert "2026-03-01 … 2026-03-31: 31 days" in out
    assert "2026-04-01 … 2026-04-05: 5 days" in out
    assert "Done: 36 days in" in out
    assert StoreSnapshot.objects.count() == 2 * 36


def test_make_demo_builds_the_days_back_once_and_not_again(story, capsys):  # type: ignore[no-untyped-def]
    call_command("rollup_dashboard", "--days", "3", "--until", "2026-04-05", "--if-empty")
    call_command("rollup_dashboard", "--days", "30", "--if-empty")

    out = capsys.readouterr().out
    assert "2026-04-03 … 2026-04-05: 3 days" in out
    assert "The dashboard's rollups exist already: nothing to do." in out
    assert StoreSnapshot.objects.count() == 2 * 3


def test_the_runtime_role_may_read_and_write_the_rollups(store):
    build(date(2026, 3, 1), date(2026, 3, 2), snapshots=(date(2026, 3, 1),))
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        (user,) = cursor.fetchone()
        for table in ("managers_storeday", "managers_associateday", "managers_storesnapshot"):
            cursor.execute("SELECT has_table_privilege(%s, %s, 'SELECT, INSERT, DELETE')", [user, table])
            assert cursor.fetchone() == (True,), table

    assert user != "postgres"
    assert StoreDay.objects.filter(~Q(day=date(2026, 3, 1))).count() == 0


@pytest.mark.django_db(transaction=True)
def test_two_rebuilds_at_once_wait_for_each_other_and_leave_the_same_rows(store, associate):
    customer = CustomerFactory(home_store=store)
    OrderFactory(customer=customer, store=store, placed_at=at(3, 5))
    Interaction.objects.create(
        customer=customer, store=store, associate=associate, kind="call", occurred_at=at(3, 4)
    )
    days = (date(2026, 3, 1), date(2026, 3, 8))
    finished = threading.Event()
    failed: list[BaseException] = []

    def other() -> None:
        try:
            rollups.rebuild(*days)
            finished.set()
        except BaseException as error:  # reported by the test below
            failed.append(error)
        finally:
            connections.close_all()

    with transaction.atomic():
        rollups.rebuild(*days)
        thread = threading.Thread(target=other)
        thread.start()
        clock.sleep(0.5)
        assert not finished.is_set()  # it waits for the lock this transaction holds
    thread.join(timeout=30)

    assert not failed
    assert finished.is_set()
    assert StoreDay.objects.filter(store=store).count() == 7
    assert StoreDay.objects.get(store=store, day=date(2026, 3, 5)).outreach_orders == 1
    assert AssociateDay.objects.get().outreach == 1
