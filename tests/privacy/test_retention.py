from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured

from audit.models import AuditEvent
from customers.models import Customer
from privacy import tasks
from privacy.retention import (
    _erase_if_still_inactive,
    apply_retention,
    inactive_customers,
    months_before,
)
from relationships.models import Interaction, Note
from sales.models import Order
from tests.factories import (
    CustomerFactory,
    IdentifierFactory,
    OrderFactory,
    ReturnFactory,
    ServiceEpisodeFactory,
)
from tests.settings_files import run_settings

pytestmark = pytest.mark.django_db

NOW = datetime(2027, 6, 15, 12, 0, tzinfo=UTC)
INACTIVE_SINCE = datetime(2025, 6, 15, 12, 0, tzinfo=UTC)  # 24 months before NOW
NOTES_BEFORE = datetime(2025, 12, 15, 12, 0, tzinfo=UTC)  # 18 months before NOW
LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


@pytest.fixture(autouse=True)
def retention_periods(settings):  # type: ignore[no-untyped-def]
    settings.RETENTION_INACTIVE_MONTHS = 24
    settings.RETENTION_NOTE_MONTHS = 18


def old_customer(**fields: object) -> Customer:
    """A profile created long before the retention window."""
    customer = CustomerFactory(**fields)
    Customer.objects.filter(pk=customer.pk).update(created_at=LONG_AGO)
    return customer


def is_erased(customer: Customer) -> bool:
    return Customer.objects.get(pk=customer.pk).erased_at is not None


Activity = Callable[..., object]


def ordered(customer: Customer, at: datetime, **_: object) -> None:
    OrderFactory(customer=customer, placed_at=at)


def returned(customer: Customer, at: datetime, **_: object) -> None:
    ReturnFactory(customer=customer, returned_at=at)


def had_a_repair_opened(customer: Customer, at: datetime, **_: object) -> None:
    ServiceEpisodeFactory(customer=customer, opened_at=at)


def had_a_repair_closed(customer: Customer, at: datetime, **_: object) -> None:
    ServiceEpisodeFactory(customer=customer, opened_at=LONG_AGO, closed_at=at)


def was_contacted(customer: Customer, at: datetime, **_: object) -> None:
    Interaction.objects.create(customer=customer, kind=Interaction.Kind.CALL, occurred_at=at)


def renewed_consent(customer: Customer, at: datetime, *, grant, **_: object) -> None:  # type: ignore[no-untyped-def]
    grant(customer, at=at)


ACTIVITIES = [ordered, returned, had_a_repair_opened, had_a_repair_closed, was_contacted, renewed_consent]


@pytest.mark.parametrize("activity", ACTIVITIES, ids=lambda a: a.__name__)
def test_a_customer_active_just_inside_the_window_is_kept(activity, grant):
    customer = old_customer()
    activity(customer, INACTIVE_SINCE + MINUTE, grant=grant)

    report = apply_retention(now=NOW)

    assert not is_erased(customer)
    assert report.customers_erased == 0


@pytest.mark.parametrize("activity", ACTIVITIES, ids=lambda a: a.__name__)
def test_a_customer_whose_last_activity_is_just_outside_the_window_is_erased(activity, grant):
    customer = old_customer()
    activity(customer, INACTIVE_SINCE - MINUTE, grant=grant)

    report = apply_retention(now=NOW)

    assert is_erased(customer)
    assert report.customers_erased == 1


def test_the_window_starts_exactly_24_months_before_now(grant):
    on_the_boundary = old_customer()
    ordered(on_the_boundary, INACTIVE_SINCE)

    apply_retention(now=NOW)

    assert not is_erased(on_the_boundary)


def test_withdrawing_consent_inside_the_window_does_not_count_as_renewing_it(grant, withdraw):
    customer = old_customer()
    grant(customer, at=INACTIVE_SINCE - MINUTE)
    withdraw(customer, at=INACTIVE_SINCE + MINUTE)

    apply_retention(now=NOW)

    assert is_erased(customer)


def test_a_profile_younger_than_the_window_is_kept_even_with_no_activity():
    newcomer = CustomerFactory()
    Customer.objects.filter(pk=newcomer.pk).update(created_at=INACTIVE_SINCE + MINUTE)

    apply_retention(now=NOW)

    assert not is_erased(newcomer)


def test_recent_activity_on_a_profile_merged_into_her_keeps_her():
    customer = old_customer()
    duplicate = old_customer(merged_into=customer, merged_at=LONG_AGO)
    ordered(duplicate, INACTIVE_SINCE + MINUTE)

    apply_retention(now=NOW)

    assert not is_erased(customer)
    assert not is_erased(duplicate)


def test_an_inactive_customer_is_erased_with_her_merged_profiles_through_the_same_erasure():
    customer = old_customer()
    duplicate = old_customer(merged_into=customer, merged_at=LONG_AGO)
    IdentifierFactory(customer=customer)
    ordered(customer, INACTIVE_SINCE - MINUTE)

    apply_retention(now=NOW)

    assert is_erased(customer)
    assert is_erased(duplicate)
    assert not customer.identifiers.exists()
    assert Order.objects.get().customer_id is None
    completed = AuditEvent.objects.get(action="erasure.completed")
    assert (completed.customer_id, completed.detail["reason"]) == (customer.pk, "retention")
    assert completed.detail["merged_profile_ids"] == [duplicate.pk]


def test_customers_already_erased_are_not_erased_again():
    customer = old_customer()
    apply_retention(now=NOW)

    report = apply_retention(now=NOW)

    assert report.customers_erased == 0
    assert AuditEvent.objects.filter(action="erasure.completed", customer=customer).count() == 1


def test_inactive_customers_are_erased_batch_after_batch():
    customers = [old_customer() for _ in range(5)]
    kept = old_customer()
    ordered(kept, NOW - timedelta(days=3))

    report = apply_retention(now=NOW, batch_size=2)

    assert report.customers_erased == 5
    assert all(is_erased(customer) for customer in customers)
    assert not is_erased(kept)


def test_finding_inactive_customers_is_one_query_however_many_there_are(django_assert_num_queries):
    for _ in range(4):
        ordered(old_customer(), INACTIVE_SINCE - MINUTE)

    with django_assert_num_queries(1):
        assert len(list(inactive_customers(since=INACTIVE_SINCE))) == 4


def test_a_customer_who_buys_after_being_picked_is_checked_again_and_kept():
    customer = old_customer()
    assert list(inactive_customers(since=INACTIVE_SINCE)) == [customer]
    ordered(customer, NOW - MINUTE)

    assert _erase_if_still_inactive(customer.pk, inactive_since=INACTIVE_SINCE) is False
    assert not is_erased(customer)


def test_notes_older_than_18_months_are_deleted_with_one_audit_event_for_the_run(associate, store):
    customer = CustomerFactory()
    old = [Note.objects.create(customer=customer, author=associate, body=f"old {n}") for n in range(2)]
    recent = Note.objects.create(customer=customer, author=associate, body="recent")
    Note.objects.filter(pk__in=[note.pk for note in old]).update(created_at=NOTES_BEFORE - MINUTE)
    Note.objects.filter(pk=recent.pk).update(created_at=NOTES_BEFORE + MINUTE)

    report = apply_retention(now=NOW)

    assert report.notes_deleted == 2
    assert list(Note.objects.all()) == [recent]
    event = AuditEvent.objects.get(action="retention.notes_deleted")
    assert event.detail == {"count": 2, "created_before": NOTES_BEFORE.isoformat(), "months": 18}
    assert (event.actor, event.actor_kind, event.customer) == (None, "system", None)


def test_the_periods_come_from_settings(settings):
    settings.RETENTION_INACTIVE_MONTHS = 36
    settings.RETENTION_NOTE_MONTHS = 6

    report = apply_retention(now=NOW)

    assert report.inactive_since == datetime(2024, 6, 15, 12, 0, tzinfo=UTC)
    assert report.notes_created_before == datetime(2026, 12, 15, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("moment", "months", "expected"),
    [
        (datetime(2027, 6, 15, 12, 0, tzinfo=UTC), 24, datetime(2025, 6, 15, 12, 0, tzinfo=UTC)),
        (datetime(2027, 3, 31, 23, 30, tzinfo=UTC), 1, datetime(2027, 2, 28, 23, 30, tzinfo=UTC)),
        (datetime(2028, 3, 31, tzinfo=UTC), 1, datetime(2028, 2, 29, tzinfo=UTC)),
        (datetime(2027, 1, 10, tzinfo=UTC), 18, datetime(2025, 7, 10, tzinfo=UTC)),
    ],
)
def test_months_before_keeps_the_day_or_takes_the_last_day_of_a_shorter_month(moment, months, expected):
    assert months_before(moment, months) == expected


def test_the_nightly_task_applies_retention_as_of_now_and_reports_counts():
    customer = old_customer()

    result = tasks.apply_retention.delay().get(timeout=30)

    assert is_erased(customer)
    assert result["customers_erased"] == 1
    assert result["notes_deleted"] == 0


def test_retention_periods_are_read_from_the_environment_and_refused_below_a_month(monkeypatch):
    monkeypatch.setenv("RETENTION_INACTIVE_MONTHS", "36")
    monkeypatch.setenv("RETENTION_NOTE_MONTHS", "12")
    loaded = run_settings()
    assert (loaded["RETENTION_INACTIVE_MONTHS"], loaded["RETENTION_NOTE_MONTHS"]) == (36, 12)

    monkeypatch.setenv("RETENTION_NOTE_MONTHS", "0")
    with pytest.raises(ImproperlyConfigured, match="RETENTION_NOTE_MONTHS must be at least 1"):
        run_settings()
