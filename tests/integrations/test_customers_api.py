"""Customers over the bulk API: keyed by system id, found by any identifier, never silently moved."""

import pytest

from audit.models import AuditEvent
from consent.selectors import consenting
from customers.models import Customer, CustomerIdentifier, Source
from identity.models import CustomerMerge, DuplicateCandidate
from tests.factories import CustomerFactory
from tests.integrations.conftest import statuses

pytestmark = pytest.mark.django_db

ZOE = {
    "system": "web",
    "external_id": "U-1001",
    "given_name": "Zoë",
    "family_name": "Okafor",
    "home_store": "london",
    "email": " Zoe@Example.com",
    "phone": "07911 123456",
}


def test_a_customer_is_created_then_unchanged_then_updated_with_audit_without_values(store, post, token_for):
    token = token_for(["customers"])  # a token of the whole chain is told what became of each record

    created = post("customers", [ZOE], token=token)
    again = post("customers", [ZOE], token=token)
    renamed = post("customers", [ZOE | {"family_name": "Okafor-Reid"}], token=token)

    assert statuses(created) == ["created"]
    assert created.json()["results"][0]["key"] == "web/U-1001"
    assert statuses(again) == ["unchanged"]
    assert statuses(renamed) == ["updated"]
    zoe = Customer.objects.get()
    assert zoe.source == Source.API
    assert zoe.family_name == "Okafor-Reid"
    assert set(zoe.identifiers.values_list("kind", "namespace", "value")) == {
        ("external", "web", "U-1001"),
        ("email", "", "zoe@example.com"),
        ("phone", "", "+447911123456"),
    }
    assert not consenting(Customer.objects.all(), "profile").exists()  # staff cannot see her yet
    events = AuditEvent.objects.filter(customer=zoe).order_by("occurred_at")
    assert [e.action for e in events] == ["customer.created", "customer.updated"]
    assert events[1].detail == {"fields": ["family_name"]}
    assert "Okafor" not in str(list(events.values_list("detail", flat=True)))


def test_a_new_system_id_with_a_known_email_is_the_same_customer(store, post, token_for):
    known = CustomerFactory(home_store=store)
    CustomerIdentifier.objects.create(customer=known, kind="email", value="zoe@example.com")

    response = post("customers", [ZOE], token=token_for(["customers"]))

    assert statuses(response) == ["updated"]
    assert Customer.objects.count() == 1
    assert known.identifiers.filter(kind="external", namespace="web", value="U-1001").exists()


def test_a_phone_of_another_profile_is_not_moved_and_the_two_are_queued_for_review(store, post, token_for):
    other = CustomerFactory(home_store=store)
    CustomerIdentifier.objects.create(customer=other, kind="phone", value="+447911123456")
    token = token_for(["customers"])
    post("customers", [ZOE | {"phone": ""}], token=token)
    zoe = Customer.objects.get(identifiers__value="U-1001")

    response = post("customers", [ZOE], token=token)

    result = response.json()["results"][0]
    assert result["status"] == "unchanged"
    assert "queued for a manager's review" in result["notes"][0]
    assert other.identifiers.get().value == "+447911123456"  # never moved
    assert not zoe.identifiers.filter(kind="phone").exists()
    assert not CustomerMerge.objects.exists()
    pair = DuplicateCandidate.objects.get()
    assert {pair.first_id, pair.second_id} == {zoe.pk, other.pk}
    assert pair.evidence == {"signals": ["shared_phone"], "source": "Customer record web/U-1001"}


def test_her_system_id_and_an_email_of_another_profile_merge_the_two(store, post, token_for):
    token = token_for(["customers"])
    post("customers", [ZOE | {"email": "", "phone": ""}], token=token)
    twin = CustomerFactory(home_store=store)
    CustomerIdentifier.objects.create(customer=twin, kind="email", value="zoe@example.com")

    response = post("customers", [ZOE | {"phone": ""}], token=token)
    again = post("customers", [ZOE | {"phone": ""}], token=token)

    result = response.json()["results"][0]
    assert result["status"] == "updated"
    assert "merged into one" in result["notes"][0]
    merge = CustomerMerge.objects.get()
    assert (merge.kind, merge.evidence["shared"]) == ("automatic", ["email", "external"])
    assert set(merge.survivor.identifiers.values_list("kind", flat=True)) == {"external", "email"}
    assert Customer.objects.filter(merged_into__isnull=True).count() == 1
    assert statuses(again) == ["unchanged"]
    assert "notes" not in again.json()["results"][0]
    event = AuditEvent.objects.filter(action="customer.updated").latest("occurred_at")
    assert event.detail == {"fields": ["merged"]}


def test_store_scope_and_bad_identifiers_are_refused_per_item_and_the_rest_kept(
    store, other_store, post, token_for
):
    response = post(
        "customers",
        [
            ZOE | {"home_store": other_store.code},
            ZOE | {"external_id": "U-2", "email": "nope", "phone": ""},
            ZOE | {"external_id": "U-3", "home_store": None, "email": "", "phone": ""},
            ZOE,
        ],
        token=token_for(["customers"], stores=[store]),
    )

    assert statuses(response) == ["error", "error", "error", "accepted"]
    errors = [r.get("errors") for r in response.json()["results"]]
    assert errors[0] == {"home_store": ["This token may not write this store."]}
    assert "email" in errors[1]
    assert "home_store" in errors[2]
    assert Customer.objects.count() == 1


def test_a_store_token_is_told_the_same_whoever_she_is_and_changes_only_its_own(
    store, other_store, post, token_for
):
    """Unknown here, known in this store, or another store's customer: the same answer, first time and
    every time after, so a store's system cannot test who shops elsewhere in the chain."""
    elsewhere = CustomerFactory(home_store=other_store, given_name="Zoë")
    CustomerIdentifier.objects.create(customer=elsewhere, kind="email", value="zoe@example.com")
    ours = CustomerFactory(home_store=store)
    CustomerIdentifier.objects.create(customer=ours, kind="email", value="ours@example.com")
    token = token_for(["customers"], stores=[store])
    records = [
        ZOE | {"external_id": "U-1", "email": "zoe@example.com", "phone": "", "given_name": "Z"},
        ZOE | {"external_id": "U-2", "email": "nobody@example.com", "phone": ""},
        ZOE | {"external_id": "U-3", "email": "ours@example.com", "phone": ""},
    ]

    answers = [post("customers", records, token=token).json() for _ in range(2)]
    renamed = post("customers", [r | {"family_name": "New"} for r in records], token=token).json()

    for answer in [*answers, renamed]:
        assert answer["accepted"] == 3
        assert answer["created"] == answer["updated"] == answer["unchanged"] == answer["errors"] == 0
        assert [r["status"] for r in answer["results"]] == ["accepted"] * 3
        assert not any("notes" in r for r in answer["results"])
    elsewhere.refresh_from_db()
    assert (elsewhere.given_name, list(elsewhere.identifiers.values_list("kind", flat=True))) == (
        "Zoë",
        ["email"],
    )
    declined = AuditEvent.objects.filter(action="customer.record_declined", customer=elsewhere)
    assert declined.count() == 3
    assert declined.first().detail["source"] == "Customer record web/U-1"
    assert "Z" not in declined.first().detail["fields"]  # field names, never values
    assert ours.identifiers.filter(kind="external", value="U-3").exists()
    ours.refresh_from_db()
    assert ours.family_name == "New"


def test_a_phone_is_read_in_her_home_stores_country(other_store, post, token_for):
    response = post(
        "customers", [ZOE | {"home_store": other_store.code, "phone": "06 12 34 56 78"}], token=token_for()
    )

    assert statuses(response) == ["created"]
    assert Customer.objects.get().identifiers.get(kind="phone").value == "+33612345678"
