"""The one scoped selector every read of customer data starts from."""

from datetime import UTC, datetime

import pytest
from django.utils import timezone

from accounts.models import Role
from consent.models import PurposeCode
from consent.selectors import customers_visible_to, get_visible_customer
from customers.models import Customer
from sales.services import refresh_store_relationships
from tests.factories import CustomerFactory, OrderFactory, UserFactory

pytestmark = pytest.mark.django_db


def visible(user) -> set[Customer]:
    return set(customers_visible_to(user))


def test_customer_without_consent_is_invisible(associate, store):
    CustomerFactory(home_store=store)

    assert visible(associate) == set()


def test_customer_with_profile_consent_is_visible_to_her_stores_associates(
    associate, teammate, consenting_customer
):
    assert visible(associate) == {consenting_customer}
    assert visible(teammate) == {consenting_customer}


def test_consent_for_other_purposes_only_does_not_make_a_customer_visible(associate, store, grant):
    customer = CustomerFactory(home_store=store)
    grant(customer, [PurposeCode.CONTACT_EMAIL, PurposeCode.SUGGESTIONS])

    assert visible(associate) == set()


def test_withdrawn_customer_disappears_at_once(associate, consenting_customer, withdraw):
    withdraw(consenting_customer, [PurposeCode.PROFILE])

    assert visible(associate) == set()
    with pytest.raises(Customer.DoesNotExist):
        get_visible_customer(associate, consenting_customer.public_id)


def test_customer_who_consents_again_reappears(associate, consenting_customer, withdraw, grant):
    withdraw(consenting_customer)
    grant(consenting_customer, [PurposeCode.PROFILE])

    assert visible(associate) == {consenting_customer}


def test_associate_of_another_store_does_not_see_the_customer(outsider, consenting_customer):
    assert visible(outsider) == set()


def test_purchases_in_a_store_make_the_customer_visible_there(outsider, other_store, consenting_customer):
    OrderFactory(customer=consenting_customer, store=other_store)
    refresh_store_relationships(customer_ids=[consenting_customer.pk])

    assert visible(outsider) == {consenting_customer}


def test_chain_visibility_shows_every_consenting_customer_to_staff_with_a_store(
    settings, outsider, consenting_customer
):
    settings.CUSTOMER_VISIBILITY = "chain"

    assert visible(outsider) == {consenting_customer}


def test_staff_without_any_store_see_no_one_even_in_chain_mode(settings, consenting_customer):
    settings.CUSTOMER_VISIBILITY = "chain"
    drifter = UserFactory(role=Role.ASSOCIATE)

    assert visible(drifter) == set()


def test_manager_sees_the_consenting_customers_of_her_store_only(manager, store, other_store, grant):
    ours = CustomerFactory(home_store=store)
    theirs = CustomerFactory(home_store=other_store)
    grant(ours)
    grant(theirs)

    assert visible(manager) == {ours}


def test_admin_sees_every_consenting_customer_but_no_one_else(admin_user, store, other_store, grant):
    ours = CustomerFactory(home_store=store)
    theirs = CustomerFactory(home_store=other_store)
    CustomerFactory(home_store=store)  # never opted in
    grant(ours)
    grant(theirs)

    assert visible(admin_user) == {ours, theirs}


def test_merged_away_profile_is_invisible(associate, store, consenting_customer, grant):
    duplicate = CustomerFactory(home_store=store)
    grant(duplicate)
    duplicate.merged_into = consenting_customer
    duplicate.merged_at = timezone.now()
    duplicate.save()

    assert visible(associate) == {consenting_customer}


def test_erased_customer_is_invisible(associate, consenting_customer):
    Customer.objects.filter(pk=consenting_customer.pk).update(erased_at=datetime(2026, 6, 1, tzinfo=UTC))

    assert visible(associate) == set()


def test_deactivated_staff_see_no_one(associate, consenting_customer):
    associate.is_active = False
    associate.save()

    assert visible(associate) == set()


def test_extra_purposes_narrow_the_set(associate, store, grant):
    profile_only = CustomerFactory(home_store=store)
    grant(profile_only, [PurposeCode.PROFILE])
    with_suggestions = CustomerFactory(home_store=store)
    grant(with_suggestions, [PurposeCode.PROFILE, PurposeCode.SUGGESTIONS])

    scoped = set(customers_visible_to(associate, also_requires=[PurposeCode.SUGGESTIONS]))

    assert scoped == {with_suggestions}


def test_the_scoped_query_is_a_single_statement(associate, consenting_customer, django_assert_num_queries):
    with django_assert_num_queries(1):
        list(customers_visible_to(associate))
