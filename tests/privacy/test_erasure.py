import json
import logging
import pickle
from decimal import Decimal

import pytest
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.db import DatabaseError, connection
from django.db.models import Sum
from django.utils import timezone

from accounts.models import Role
from audit.models import AuditEvent
from common.db_roles import as_owner
from common.logging import JsonFormatter, RedactPersonalData
from consent.models import ConsentEvent, ConsentState
from consent.selectors import customers_visible_to, get_visible_customer
from customers.membership import membership_code, read_membership_code
from customers.models import (
    Customer,
    CustomerIdentifier,
    ImportantDate,
    Preference,
    Size,
    StoreRelationship,
)
from privacy.erasure import erase_customer
from privacy.services import request_erasure
from relationships.models import FollowUp, Interaction, Note
from relationships.review import redact_note
from sales.models import Order, OrderLine, Return, ServiceEpisode
from sales.services import refresh_store_relationships
from tablet.search import search_customers
from tests.factories import CustomerFactory, OrderFactory, UserFactory
from tests.privacy.conftest import EMAIL, FAMILY_NAME, PHONE, mentions, tables_mentioning

pytestmark = pytest.mark.django_db

PERSONAL_TABLES = {
    "customers_customer",
    "customers_customeridentifier",
    "customers_size",
    "customers_importantdate",
    "relationships_note",
    "relationships_followup",
    "relationships_interaction",
    "sales_return",
    "sales_serviceepisode",
}


@pytest.fixture
def app_logs(caplog):
    """Log records as the app's own handler writes them: redaction filter, then its formatter."""
    handler = next(
        h for h in logging.getLogger().handlers if any(isinstance(f, RedactPersonalData) for f in h.filters)
    )
    for log_filter in handler.filters:
        caplog.handler.addFilter(log_filter)
    caplog.set_level(logging.INFO)

    def lines() -> list[str]:
        formatters = [handler.formatter or logging.Formatter(), JsonFormatter()]
        return [formatter.format(record) for record in caplog.records for formatter in formatters]

    return lines


def cached_text() -> str:
    """Every key and value in the cache (the default LocMem backend, read whole)."""
    backend = caches["default"]
    assert isinstance(backend, LocMemCache)
    return repr({key: pickle.loads(value) for key, value in backend._cache.items()})  # noqa: S301 - our own cache


def test_after_erasure_no_table_cache_or_log_line_holds_her_name_email_or_phone(
    subject, associate, client, app_logs, django_capture_on_commit_callbacks
):
    """Every table, read whole as text; the whole cache (the app caches nothing about customers today,
    so it stays empty, and this keeps it honest if that changes); every log line as written."""
    customer = subject.customer
    # The associate's real paths through her data: her card, a search for her, and a careless log
    # line with her e-mail and phone (the app's filter redacts both; code never logs names).
    client.force_login(associate)
    assert client.get(f"/customers/{customer.public_id}/").status_code == 200
    assert FAMILY_NAME.encode() in client.post("/customers/", {"q": FAMILY_NAME}).content
    logging.getLogger("customers").warning("SMS to %s bounced; e-mail %s instead", PHONE, EMAIL)
    before = tables_mentioning()
    assert set(before) >= PERSONAL_TABLES, "the sweep must see her before erasure"

    with django_capture_on_commit_callbacks(execute=True):
        request_erasure(customer=customer, by=None, actor_kind="customer")

    assert tables_mentioning() == {}
    assert mentions(cached_text()) == []
    assert any("customer erased" in line for line in app_logs())
    assert [line for line in app_logs() if mentions(line)] == []


def test_erasure_keeps_the_customer_row_as_a_blank_pseudonymous_id(subject):
    customer = subject.customer
    old_public_id = customer.public_id

    erase_customer(customer.pk)

    customer.refresh_from_db()
    assert customer.erased_at is not None
    assert customer.public_id != old_public_id
    assert (customer.given_name, customer.family_name, customer.preferred_name) == ("", "", "")
    assert (customer.birth_date, customer.locale, customer.country, customer.home_store) == (
        None,
        "",
        "",
        None,
    )
    assert customer.search_name.strip() == ""


def test_everything_that_only_describes_her_is_deleted(subject):
    customer = subject.customer

    report = erase_customer(customer.pk)

    for model in (
        CustomerIdentifier,
        Preference,
        Size,
        ImportantDate,
        StoreRelationship,
        Note,
        FollowUp,
        Interaction,
        ConsentState,
    ):
        assert not model.objects.filter(customer_id=customer.pk).exists(), model.__name__
    assert report.counts["deleted"]["customers_customeridentifier"] == 3
    assert report.counts["deleted"]["relationships_note"] == 2
    assert report.counts["anonymised"]["customers_customer"] == 1


def test_orders_returns_and_service_stay_anonymous_with_totals_unchanged(subject):
    customer = subject.customer
    order_ids = [order.pk for order in subject.orders]
    total_before = Order.objects.aggregate(total=Sum("total_amount"))["total"]
    lines_before = OrderLine.objects.filter(order_id__in=order_ids).count()

    report = erase_customer(customer.pk)

    assert Order.objects.filter(pk__in=order_ids, customer__isnull=True).count() == 2
    assert Order.objects.aggregate(total=Sum("total_amount"))["total"] == total_before == Decimal("155.50")
    assert OrderLine.objects.filter(order_id__in=order_ids).count() == lines_before == 1
    refund = Return.objects.get(order_id=order_ids[0])
    assert (refund.customer_id, refund.reason, refund.refund_amount) == (None, "", Decimal("49.00"))
    episode = ServiceEpisode.objects.get()
    assert (episode.customer_id, episode.summary) == (None, "")
    assert report.counts["detached"] == {"sales_return": 1, "sales_order": 2, "sales_serviceepisode": 1}


def test_a_return_without_her_id_on_her_order_loses_its_reason_too():
    customer = CustomerFactory()
    order = OrderFactory(customer=customer)
    Return.objects.create(
        channel="store",
        external_id="RET-ANON",
        order=order,
        customer=None,
        returned_at=timezone.now(),
        reason=f"{FAMILY_NAME} said it was too short",
        refund_amount=Decimal("10.00"),
    )

    erase_customer(customer.pk)

    assert Return.objects.get(external_id="RET-ANON").reason == ""


def test_the_consent_ledger_stays_as_proof_while_the_current_state_goes(subject):
    customer = subject.customer
    ledger = list(ConsentEvent.objects.filter(customer=customer).values())
    assert ledger
    assert ConsentState.objects.filter(customer=customer).exists()

    erase_customer(customer.pk)

    assert list(ConsentEvent.objects.filter(customer=customer).values()) == ledger
    assert not ConsentState.objects.filter(customer=customer).exists()


def test_audit_events_stay_with_her_pseudonymous_id_and_lose_the_topics_her_notes_were_flagged_for(
    subject, manager
):
    customer = subject.customer
    flagged = customer.notes.get(flagged_topics=["health"])
    redact_note(by=manager, note=flagged, seen_version=1, body="Back soon", reason="Health")
    before = set(AuditEvent.objects.filter(customer=customer).values_list("pk", "action"))
    assert AuditEvent.objects.filter(customer=customer, detail__flagged_topics=["health"]).exists()
    assert AuditEvent.objects.filter(customer=customer, detail__flagged_topics_before=["health"]).exists()

    erase_customer(customer.pk)

    events = AuditEvent.objects.filter(customer=customer)
    assert before < set(events.values_list("pk", "action"))
    assert not events.filter(detail__has_any_keys=["flagged_topics", "flagged_topics_before"]).exists()
    completed = events.get(action="erasure.completed")
    assert completed.actor is None
    assert completed.detail["reason"] == "request"
    assert completed.detail["counts"]["deleted"]["relationships_note"] == 2
    assert completed.detail["counts"]["deleted"]["relationships_noterevision"] == 1
    assert mentions(json.dumps(list(events.values("action", "actor_kind", "detail")))) == []


def test_erasing_her_twice_ends_in_the_same_state(subject):
    customer = subject.customer
    erase_customer(customer.pk)
    customer.refresh_from_db()
    first = tables_snapshot(customer)

    again = erase_customer(customer.pk)

    customer.refresh_from_db()
    assert again.already_erased
    assert all(count == 0 for counts in again.counts.values() for count in counts.values())
    assert tables_snapshot(customer) == first


def tables_snapshot(customer: Customer) -> dict[str, object]:
    return {
        "customer": Customer.objects.filter(pk=customer.pk).values().get(),
        "orders": list(Order.objects.order_by("pk").values()),
        "returns": list(Return.objects.order_by("pk").values()),
        "service": list(ServiceEpisode.objects.order_by("pk").values()),
        "ledger": list(ConsentEvent.objects.order_by("pk").values()),
        "personal": [
            model.objects.count() for model in (CustomerIdentifier, Note, FollowUp, StoreRelationship)
        ],
    }


CRASH_ON_ANONYMISING = """
    CREATE FUNCTION test_crash() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'simulated crash half-way'; END $$;
    CREATE TRIGGER test_crash BEFORE UPDATE ON customers_customer FOR EACH ROW EXECUTE FUNCTION test_crash();
"""


@pytest.mark.django_db(transaction=True)
def test_a_crash_half_way_rolls_the_whole_erasure_back_and_a_rerun_finishes_it(subject):
    customer = subject.customer
    # The last step fails, after the deletes and detaches have run. The owner adds the trigger (the
    # app's role may not: common/db_roles.py) and takes it away again.
    with as_owner(), connection.cursor() as cursor:
        cursor.execute(CRASH_ON_ANONYMISING)

    with pytest.raises(DatabaseError, match="simulated crash half-way"):
        erase_customer(customer.pk)

    assert CustomerIdentifier.objects.filter(customer=customer).count() == 3
    assert Note.objects.filter(customer=customer).count() == 2
    assert Order.objects.filter(customer=customer).count() == 2
    assert ConsentState.objects.filter(customer=customer).exists()
    assert Customer.objects.get(pk=customer.pk).erased_at is None
    assert not AuditEvent.objects.filter(action="erasure.completed").exists()

    with as_owner(), connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER test_crash ON customers_customer; DROP FUNCTION test_crash()")
    report = erase_customer(customer.pk)

    assert not report.already_erased
    assert Customer.objects.get(pk=customer.pk).erased_at is not None
    assert not CustomerIdentifier.objects.filter(customer=customer).exists()
    assert Order.objects.filter(pk__in=[o.pk for o in subject.orders], customer__isnull=True).count() == 2
    assert tables_mentioning() == {}


def test_profiles_merged_into_her_are_erased_with_her(subject):
    customer = subject.customer
    duplicate = CustomerFactory(
        given_name="Zephyrine", family_name="Q.", merged_into=customer, merged_at=timezone.now()
    )
    older = CustomerFactory(given_name="Zeph", merged_into=duplicate, merged_at=timezone.now())
    OrderFactory(customer=duplicate)

    report = erase_customer(customer.pk)

    assert report.profile_ids == (customer.pk, duplicate.pk, older.pk)
    for profile in (duplicate, older):
        profile.refresh_from_db()
        assert profile.erased_at is not None
        assert (profile.given_name, profile.family_name) == ("", "")
    assert not Order.objects.filter(customer=duplicate).exists()
    assert tables_mentioning() == {}


def test_an_erased_customer_is_never_found_again_not_even_with_her_old_code_or_link(
    subject, associate, store
):
    customer = subject.customer
    admin = UserFactory(role=Role.ADMIN, stores=[store])
    old_code = membership_code(customer)
    assert get_visible_customer(associate, customer.public_id) == customer

    erase_customer(customer.pk)
    customer.refresh_from_db()

    for user in (associate, admin):
        assert not customers_visible_to(user).filter(pk=customer.pk).exists()
        assert search_customers(user, FAMILY_NAME) == []
        assert search_customers(user, EMAIL) == []
        assert search_customers(user, PHONE, store=store) == []
        with pytest.raises(Customer.DoesNotExist):
            get_visible_customer(user, read_membership_code(old_code))
        with pytest.raises(Customer.DoesNotExist):
            get_visible_customer(user, customer.public_id)


def test_the_nightly_store_refresh_does_not_bring_her_back(subject):
    customer = subject.customer
    erase_customer(customer.pk)

    refresh_store_relationships()

    assert not StoreRelationship.objects.filter(customer=customer).exists()


def test_erasing_an_unknown_customer_says_so():
    with pytest.raises(Customer.DoesNotExist):
        erase_customer(987654321)
