from datetime import UTC, datetime

import pytest
from django.db import DatabaseError, connection, transaction

from consent.models import AppendOnlyError, ConsentEvent, ConsentState, PurposeCode
from consent.selectors import current_purposes
from consent.services import publish_policy_version, refresh_consent_states
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

PROFILE = PurposeCode.PROFILE


def test_state_follows_grant_then_withdraw_then_grant(grant, withdraw):
    customer = CustomerFactory()

    grant(customer, [PROFILE], at=datetime(2026, 1, 1, tzinfo=UTC))
    assert current_purposes(customer) == {PROFILE}

    withdraw(customer, [PROFILE], at=datetime(2026, 2, 1, tzinfo=UTC))
    assert current_purposes(customer) == set()

    grant(customer, [PROFILE], at=datetime(2026, 3, 1, tzinfo=UTC))
    assert current_purposes(customer) == {PROFILE}
    assert ConsentEvent.objects.filter(customer=customer).count() == 3


def test_each_purpose_is_a_separate_choice(grant, withdraw):
    customer = CustomerFactory()
    grant(customer, [PROFILE, PurposeCode.SUGGESTIONS, PurposeCode.CONTACT_EMAIL])

    withdraw(customer, [PurposeCode.CONTACT_EMAIL])

    assert current_purposes(customer) == {PROFILE, PurposeCode.SUGGESTIONS}


def test_an_event_recorded_late_for_an_earlier_time_does_not_override_a_newer_one(grant, withdraw):
    customer = CustomerFactory()
    withdraw(customer, [PROFILE], at=datetime(2026, 6, 1, tzinfo=UTC))

    grant(customer, [PROFILE], at=datetime(2026, 1, 1, tzinfo=UTC))  # e.g. a delayed import

    assert current_purposes(customer) == set()


def test_one_opt_in_shares_one_receipt_across_its_purposes(grant):
    events = grant(CustomerFactory(), [PROFILE, PurposeCode.SUGGESTIONS])

    assert len({event.receipt_id for event in events}) == 1


def test_state_rebuilt_from_the_whole_ledger_matches_the_incremental_state(grant, withdraw):
    customers = [CustomerFactory() for _ in range(3)]
    grant(customers[0])
    grant(customers[1])
    withdraw(customers[1], [PROFILE])
    grant(customers[2], [PurposeCode.CONTACT_SMS])
    before = set(ConsentState.objects.values_list("customer_id", "purpose_id", "granted", "event_id"))

    ConsentState.objects.all().delete()
    refresh_consent_states()

    after = set(ConsentState.objects.values_list("customer_id", "purpose_id", "granted", "event_id"))
    assert after == before


def test_ledger_rows_cannot_be_updated_through_the_orm(grant):
    event = grant(CustomerFactory(), [PROFILE])[0]
    event.granted = False

    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        ConsentEvent.objects.filter(pk=event.pk).update(granted=False)


def test_ledger_rows_cannot_be_deleted_through_the_orm(grant):
    event = grant(CustomerFactory(), [PROFILE])[0]

    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        ConsentEvent.objects.filter(pk=event.pk).delete()
    assert ConsentEvent.objects.filter(pk=event.pk).exists()


def test_the_database_itself_refuses_to_rewrite_the_ledger(grant):
    event = grant(CustomerFactory(), [PROFILE])[0]

    for statement in ("UPDATE consent_consentevent SET granted = false", "DELETE FROM consent_consentevent"):
        with (
            pytest.raises(DatabaseError, match=r"append-only|permission denied"),  # the owner, or the app
            transaction.atomic(),
            connection.cursor() as c,
        ):
            c.execute(statement)

    event.refresh_from_db()
    assert event.granted is True


def test_a_published_policy_carries_the_hash_of_its_exact_text():
    policy = publish_policy_version(version="2026-02", text="We keep what you buy.")

    assert policy.text_hash == "0cc9e7087fb021cc4feeea6bc17cdf5fb417b4bda3add3f638b75632c6ca6ceb"


def test_the_shipped_purposes_are_installed_and_ensuring_them_again_changes_nothing():
    from consent.models import Purpose
    from consent.services import ensure_purposes

    Purpose.objects.filter(code="profile").update(name="Renamed by the retailer")
    ensure_purposes()

    assert set(Purpose.objects.values_list("code", flat=True)) == set(PurposeCode.values)
    assert Purpose.objects.get(code="profile").name == "Renamed by the retailer"
