"""The nightly run and the events: resumable where it stopped, idempotent, expiring what nobody took
up; an order just in or an appointment just ended make their occasion within minutes."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from occasions import generate
from occasions.models import Kind, Occasion, OccasionRun
from outreach.models import Appointment
from tests.factories import CustomerFactory, OrderFactory
from tests.occasions.conftest import NOW

pytestmark = pytest.mark.django_db


def birthday_clients(store, grant, n: int) -> list:  # type: ignore[no-untyped-def]
    people = [CustomerFactory(home_store=store, birth_date=date(1990, 12, 9)) for _ in range(n)]
    for person in people:
        grant(person, store=store)
    return people


def test_running_again_makes_nothing_twice(her, store, grant):
    birthday_clients(store, grant, 3)

    first = generate.nightly(now=NOW)
    OccasionRun.objects.all().delete()  # as if the day's runs were forgotten
    second = generate.nightly(now=NOW)

    assert first[Kind.BIRTHDAY] == 3
    assert second[Kind.BIRTHDAY] == 0
    assert Occasion.objects.filter(kind=Kind.BIRTHDAY).count() == 3
    assert AuditEvent.objects.filter(action="occasions.generated").count() == 2


def test_a_run_cut_short_goes_on_from_where_it_stopped(her, store, grant):
    people = birthday_clients(store, grant, 4)
    middle = sorted(p.pk for p in people)[1]
    # It had done the customers up to the second when it was stopped.
    OccasionRun.objects.create(kind=Kind.BIRTHDAY, day=NOW.date(), last_customer_id=middle, started_at=NOW)

    generate.nightly(now=NOW, batch=1)

    made = set(Occasion.objects.filter(kind=Kind.BIRTHDAY).values_list("customer_id", flat=True))
    assert made == {p.pk for p in people if p.pk > middle}
    run = OccasionRun.objects.get(kind=Kind.BIRTHDAY)
    assert run.finished_at is not None
    assert run.made == 2
    generate.nightly(now=NOW)  # finished for the day: not run again
    assert Occasion.objects.filter(kind=Kind.BIRTHDAY).count() == 2


def test_what_nobody_took_up_expires(her, store):
    OrderFactory(
        customer=her, store=store, total_amount=Decimal("420.00"), placed_at=NOW - timedelta(hours=3)
    )
    generate.nightly(now=NOW)
    occasion = Occasion.objects.get(kind=Kind.THANK_YOU)

    generate.nightly(now=NOW + timedelta(days=8))

    occasion.refresh_from_db()
    assert occasion.status == Occasion.Status.EXPIRED


def test_an_order_just_in_and_an_appointment_just_ended_make_theirs_within_minutes(her, store, associate):
    now = timezone.now()
    OrderFactory(
        customer=her, store=store, total_amount=Decimal("420.00"), placed_at=now - timedelta(minutes=3)
    )
    Appointment.objects.create(
        customer=her, store=store, associate=associate, purpose="fitting", status="booked",
        starts_at=now - timedelta(minutes=70), ends_at=now - timedelta(minutes=10), created_at=now,
    )  # fmt: skip

    made = generate.recent(now=now)

    assert made == {Kind.THANK_YOU: 1, Kind.AFTER_APPOINTMENT: 1}
    assert generate.recent(now=now) == {Kind.THANK_YOU: 0, Kind.AFTER_APPOINTMENT: 0}  # once


def test_the_nightly_task_makes_them_and_reports_the_counts(her, store, grant):
    from occasions import tasks

    soon = timezone.localdate() + timedelta(days=3)
    client = CustomerFactory(
        home_store=store, birth_date=soon.replace(year=1990 if soon.month != 2 else 1992)
    )
    grant(client, store=store)

    result = tasks.nightly.delay().get(timeout=30)

    assert result[Kind.BIRTHDAY] == 1
    assert Occasion.objects.get(kind=Kind.BIRTHDAY).customer == client


def test_the_command_makes_todays_occasions_and_says_how_many(her, store, grant):
    from io import StringIO

    from django.core.management import call_command

    soon = timezone.localdate() + timedelta(days=2)
    client = CustomerFactory(
        home_store=store, birth_date=soon.replace(year=1990 if soon.month != 2 else 1992)
    )
    grant(client, store=store)
    out = StringIO()

    call_command("make_occasions", stdout=out)

    assert "birthday 1" in out.getvalue()
    assert Occasion.objects.filter(kind=Kind.BIRTHDAY, customer=client).exists()
