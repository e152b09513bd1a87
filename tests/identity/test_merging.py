"""Merging two profiles of one person, and undoing it with history added since."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import User
from audit.models import AuditEvent
from consent.models import ConsentEvent, ConsentState, PurposeCode
from consent.selectors import customers_visible_to
from customers.models import Customer, CustomerIdentifier, Preference, Size, StoreRelationship
from identity.merging import MergeRefused, merge_customers, merges_since, undo_merge
from identity.models import CustomerMerge
from relationships.models import Note
from relationships.services import add_note
from sales.models import Order, Return
from stores.models import Store
from suggestions.incremental import changed_since
from suggestions.models import Feedback, Suggestion
from tests.conftest import Grant
from tests.factories import (
    CategoryFactory,
    CustomerFactory,
    IdentifierFactory,
    OrderFactory,
    ProductFactory,
    ReturnFactory,
)

pytestmark = pytest.mark.django_db


def _merge(survivor: Customer, merged: Customer, by: User | None = None) -> CustomerMerge:
    return merge_customers(
        survivor=survivor, merged=merged, kind=CustomerMerge.Kind.MANUAL, reason="same person", by=by
    )


def test_a_merge_moves_her_history_and_leaves_the_merged_profile_pointing_at_the_survivor(
    store: Store, manager: User, consenting_customer: Customer
) -> None:
    twin = CustomerFactory(given_name="Zoe", family_name="Okafor", source="sales")
    email = IdentifierFactory(customer=twin, kind="email", value="zoe@example.com", is_primary=True)
    order = OrderFactory(customer=twin, store=store, total_amount=Decimal("120.00"))
    note = Note.objects.create(customer=twin, store=store, author=manager, body="Prefers navy")

    merge = _merge(consenting_customer, twin, by=manager)

    twin.refresh_from_db()
    assert twin.merged_into == consenting_customer
    assert twin.merged_at is not None
    assert Order.objects.get(pk=order.pk).customer == consenting_customer
    assert Note.objects.get(pk=note.pk).customer == consenting_customer
    assert CustomerIdentifier.objects.get(pk=email.pk).customer == consenting_customer
    relationship = StoreRelationship.objects.get(customer=consenting_customer, store=store)
    assert relationship.orders_count == 1
    assert relationship.lifetime_spend == Decimal("120.00")
    assert merge.moved["sales_order"] == [order.pk]
    assert merge.merged_by == manager
    assert set(AuditEvent.objects.filter(detail__merge=merge.pk).values_list("action", "customer_id")) == {
        ("customer.merged", consenting_customer.pk),
        ("customer.merged_away", twin.pk),
    }
    # She is one person to staff: the survivor's card, never the merged profile.
    assert list(customers_visible_to(manager)) == [consenting_customer]


def test_her_primary_identifier_stays_primary_and_the_merged_one_becomes_a_second(
    consenting_customer: Customer,
) -> None:
    mine = IdentifierFactory(
        customer=consenting_customer, kind="email", value="a@example.com", is_primary=True
    )
    twin = CustomerFactory()
    theirs = IdentifierFactory(customer=twin, kind="email", value="b@example.com", is_primary=True)
    phone = IdentifierFactory(customer=twin, kind="phone", value="+447700900123", is_primary=True)

    merge = _merge(consenting_customer, twin)

    assert CustomerIdentifier.objects.get(pk=mine.pk).is_primary
    assert not CustomerIdentifier.objects.get(pk=theirs.pk).is_primary
    assert CustomerIdentifier.objects.get(pk=phone.pk).is_primary  # she had no phone

    undo_merge(merge=merge, reason="different people")
    assert CustomerIdentifier.objects.get(pk=theirs.pk).is_primary
    assert CustomerIdentifier.objects.get(pk=theirs.pk).customer == twin


def test_a_preference_or_size_she_already_has_stays_hers(consenting_customer: Customer) -> None:
    dresses = CategoryFactory(code="dresses")
    twin = CustomerFactory()
    Size.objects.create(customer=consenting_customer, category=dresses, size="UK 12")
    clashing = Size.objects.create(customer=twin, category=dresses, size="UK 14")
    mine = Preference.objects.create(customer=consenting_customer, kind="colour", likes=True, value="Navy")
    same = Preference.objects.create(customer=twin, kind="colour", likes=False, value="navy")
    extra = Preference.objects.create(customer=twin, kind="colour", likes=True, value="Green")

    _merge(consenting_customer, twin)

    assert Size.objects.get(customer=consenting_customer).size == "UK 12"
    assert Size.objects.get(pk=clashing.pk).customer == twin
    assert Preference.objects.get(pk=mine.pk).customer == consenting_customer
    assert Preference.objects.get(pk=same.pk).customer == twin
    assert Preference.objects.get(pk=extra.pk).customer == consenting_customer


def test_consent_follows_the_person_latest_decision_first_and_the_ledger_is_untouched(
    store: Store, grant: Grant, withdraw: Grant
) -> None:
    now = timezone.now()
    her = CustomerFactory(home_store=store)
    grant(her, [PurposeCode.PROFILE], at=now - timedelta(days=30))
    twin = CustomerFactory()
    grant(twin, [PurposeCode.PROFILE, PurposeCode.SUGGESTIONS], at=now - timedelta(days=20))
    withdraw(twin, [PurposeCode.PROFILE], at=now - timedelta(days=10))  # her latest word on profiling
    ledger = list(ConsentEvent.objects.order_by("pk").values_list("pk", "customer_id", "granted"))

    merge = _merge(her, twin)

    states = dict(ConsentState.objects.filter(customer=her).values_list("purpose_id", "granted"))
    assert states == {PurposeCode.PROFILE: False, PurposeCode.SUGGESTIONS: True}
    assert not ConsentState.objects.filter(customer=twin).exists()
    assert list(ConsentEvent.objects.order_by("pk").values_list("pk", "customer_id", "granted")) == ledger

    undo_merge(merge=merge, reason="two people")
    # Nothing of the twin's ledger speaks for her any more: no suggestions grant left behind.
    assert dict(ConsentState.objects.filter(customer=her).values_list("purpose_id", "granted")) == {
        PurposeCode.PROFILE: True
    }
    assert dict(ConsentState.objects.filter(customer=twin).values_list("purpose_id", "granted")) == {
        PurposeCode.PROFILE: False,
        PurposeCode.SUGGESTIONS: True,
    }


def test_a_consent_recorded_later_on_the_merged_profile_speaks_for_the_survivor(
    consenting_customer: Customer, withdraw: Grant
) -> None:
    twin = CustomerFactory()
    _merge(consenting_customer, twin)
    product = ProductFactory()
    Suggestion.objects.create(
        customer=consenting_customer,
        product=product,
        list="for_you",
        rank=1,
        score=1,
        reason="similar",
        model_version="t",
        created_at=timezone.now(),
    )

    withdraw(twin, [PurposeCode.SUGGESTIONS])

    assert not ConsentState.objects.get(customer=consenting_customer, purpose=PurposeCode.SUGGESTIONS).granted
    assert not Suggestion.objects.filter(customer=consenting_customer).exists()


def test_undo_puts_back_what_moved_and_keeps_what_was_added_since(
    store: Store, manager: User, consenting_customer: Customer
) -> None:
    twin = CustomerFactory(source="sales")
    old_order = OrderFactory(customer=twin, store=store, total_amount=Decimal("80.00"))
    her_order = OrderFactory(customer=consenting_customer, store=store, total_amount=Decimal("20.00"))
    merge = _merge(consenting_customer, twin, by=manager)

    # After the merge: an order, a return of the moved order, a note and feedback on the survivor.
    new_order = OrderFactory(customer=consenting_customer, store=store, total_amount=Decimal("50.00"))
    refund = ReturnFactory(
        order=old_order, customer=consenting_customer, store=store, refund_amount=Decimal("80.00")
    )
    note = add_note(by=manager, customer=consenting_customer, store=store, body="Loved the new coat")
    liked = Feedback.objects.create(
        customer=consenting_customer, product=ProductFactory(), kind="liked", at=timezone.now()
    )

    undo_merge(merge=merge, reason="Her sister, not her", by=manager)

    twin.refresh_from_db()
    assert twin.merged_into is None
    assert twin.merged_at is None
    assert Order.objects.get(pk=old_order.pk).customer == twin
    assert Return.objects.get(pk=refund.pk).customer == twin  # follows its order
    for kept in (Order.objects.get(pk=new_order.pk), Order.objects.get(pk=her_order.pk)):
        assert kept.customer == consenting_customer
    assert Note.objects.get(pk=note.pk).customer == consenting_customer
    assert Feedback.objects.get(pk=liked.pk).customer == consenting_customer
    # Spend re-derived for both: hers 20 + 50, the twin's 80 less the 80 refunded.
    mine = StoreRelationship.objects.get(customer=consenting_customer, store=store)
    theirs = StoreRelationship.objects.get(customer=twin, store=store)
    assert (mine.orders_count, mine.lifetime_spend) == (2, Decimal("70.00"))
    assert (theirs.orders_count, theirs.lifetime_spend) == (1, Decimal("0.00"))
    merge.refresh_from_db()
    assert merge.undone_by == manager
    assert merge.undo_reason == "Her sister, not her"
    assert AuditEvent.objects.filter(action="customer.merge_undone", detail__merge=merge.pk).count() == 2

    with pytest.raises(MergeRefused, match="already been undone"):
        undo_merge(merge=merge, reason="again")
    # And they can be merged again later, as a new merge.
    assert _merge(consenting_customer, twin).pk != merge.pk


def test_refused_merges(consenting_customer: Customer) -> None:
    twin = CustomerFactory()
    third = CustomerFactory()
    _merge(consenting_customer, twin)
    with pytest.raises(MergeRefused):
        _merge(consenting_customer, consenting_customer)
    with pytest.raises(MergeRefused, match="already been merged"):
        _merge(third, twin)
    erased = CustomerFactory(erased_at=timezone.now())
    with pytest.raises(MergeRefused, match="erased"):
        _merge(consenting_customer, erased)


def test_a_chain_is_undone_latest_first(consenting_customer: Customer) -> None:
    a, b = CustomerFactory(), CustomerFactory()
    first = _merge(a, b)  # b into a
    _merge(consenting_customer, a)  # a (with b) into her
    with pytest.raises(MergeRefused, match="undo that merge first"):
        undo_merge(merge=first, reason="no")


def test_both_sides_of_a_merge_or_undo_are_refreshed_for_suggestions(consenting_customer: Customer) -> None:
    before = timezone.now() - timedelta(seconds=1)
    twin = CustomerFactory()
    merge = _merge(consenting_customer, twin)
    assert merges_since(before) == {consenting_customer.pk, twin.pk}
    assert {consenting_customer.pk, twin.pk} <= changed_since(before)

    later = timezone.now()
    assert merges_since(later + timedelta(seconds=1)) == set()
    undo_merge(merge=merge, reason="no")
    assert merges_since(later) == {consenting_customer.pk, twin.pk}


def test_a_merge_costs_a_fixed_number_of_queries(
    store: Store, consenting_customer: Customer, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    twin = CustomerFactory()
    for n in range(20):
        OrderFactory(
            customer=twin, store=store, placed_at=datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=n)
        )
        IdentifierFactory(customer=twin)
    with django_assert_max_num_queries(40):
        _merge(consenting_customer, twin)
