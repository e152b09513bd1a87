import pytest
from django.db import IntegrityError, transaction

from audit.models import AuditEvent
from customers.models import Customer, CustomerIdentifier, Source, StoreRelationship
from customers.services import (
    IdentifierInUse,
    NewCustomer,
    NewIdentifier,
    add_identifier,
    create_customer,
    update_profile,
)
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def new_customer(*identifiers: tuple[str, str]) -> NewCustomer:
    return NewCustomer(
        given_name=" Zoë ",
        family_name="Okafor",
        identifiers=tuple(NewIdentifier(kind, value) for kind, value in identifiers),
    )


def test_creating_a_customer_normalises_her_identifiers_using_her_stores_country(associate, store):
    customer = create_customer(
        by=associate,
        data=new_customer(("email", "Zoe@Example.com"), ("phone", "07911 123456"), ("loyalty", "ab 1234")),
        home_store=store,
    )

    values = dict(customer.identifiers.values_list("kind", "value"))
    assert values == {"email": "zoe@example.com", "phone": "+447911123456", "loyalty": "AB1234"}
    assert customer.given_name == "Zoë"
    assert StoreRelationship.objects.filter(customer=customer, store=store).exists()


def test_creating_a_customer_is_audited_without_personal_values(associate, store):
    customer = create_customer(
        by=associate, data=new_customer(("email", "zoe@example.com")), home_store=store
    )

    event = AuditEvent.objects.get(customer=customer)
    assert (event.actor, event.action, event.store) == (associate, "customer.created", store)
    assert "zoe" not in str(event.detail).lower()


def test_two_customers_cannot_share_an_email(associate):
    create_customer(by=associate, data=new_customer(("email", "zoe@example.com")))

    with pytest.raises(IdentifierInUse, match="already belongs to another customer"):
        create_customer(by=associate, data=new_customer(("email", " ZOE@example.com")))

    assert Customer.objects.count() == 1  # the failed creation left nothing behind


def test_the_database_refuses_a_shared_identifier_even_past_the_service():
    CustomerFactory().identifiers.create(kind="email", value="zoe@example.com")
    other = CustomerFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        other.identifiers.create(kind="email", value="zoe@example.com")


def test_the_same_phone_in_two_formats_is_one_identifier(associate, store):
    customer = create_customer(
        by=associate, data=new_customer(("phone", "+44 7911 123456")), home_store=store
    )

    add_identifier(by=associate, customer=customer, new=NewIdentifier("phone", "07911123456"))

    assert customer.identifiers.count() == 1


def test_external_ids_are_unique_per_issuing_system(associate):
    first = create_customer(
        by=associate, data=NewCustomer(identifiers=(NewIdentifier("external", "42", "web"),))
    )
    second = create_customer(
        by=associate, data=NewCustomer(identifiers=(NewIdentifier("external", "42", "pos"),))
    )

    assert first.pk != second.pk
    with pytest.raises(IdentifierInUse):
        add_identifier(by=associate, customer=second, new=NewIdentifier("external", "42", "WEB"))


def test_the_first_identifier_of_a_kind_is_primary(associate):
    customer = create_customer(by=associate, data=new_customer(("email", "a@example.com")))
    second = add_identifier(by=associate, customer=customer, new=NewIdentifier("email", "b@example.com"))

    assert list(customer.identifiers.filter(is_primary=True).values_list("value", flat=True)) == [
        "a@example.com"
    ]
    assert second.is_primary is False
    assert AuditEvent.objects.filter(customer=customer, action="customer.identifier_added").count() == 1


def test_an_identifier_cannot_be_namespaced_unless_it_is_external():
    customer = CustomerFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        CustomerIdentifier.objects.create(
            customer=customer, kind="email", namespace="web", value="x@example.com"
        )


def test_profile_update_records_which_fields_changed_but_not_their_values(associate):
    customer = CustomerFactory(given_name="Zoe", source=Source.STAFF)

    update_profile(by=associate, customer=customer, given_name="Zoë", family_name=customer.family_name)

    event = AuditEvent.objects.get(customer=customer, action="customer.profile_updated")
    assert event.detail == {"fields": ["given_name"]}


def test_profile_update_refuses_fields_that_are_not_profile_fields(associate):
    with pytest.raises(TypeError, match="merged_into"):
        update_profile(by=associate, customer=CustomerFactory(), merged_into=None)
