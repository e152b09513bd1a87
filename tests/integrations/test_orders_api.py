"""Orders over the bulk API: lines, idempotence, identity resolution, scope and partial failure."""

import pytest

from audit.models import AuditEvent
from consent.selectors import consenting
from customers.models import Customer, CustomerIdentifier, Source
from identity.models import CustomerMerge, DuplicateCandidate
from sales.models import Order, OrderLine, Return, ReturnLine
from tests.factories import CustomerFactory, OrderFactory
from tests.integrations.conftest import sale, statuses

pytestmark = pytest.mark.django_db


def test_an_order_and_its_lines_are_created_then_unchanged_then_updated(store, catalogue, post, token_for):
    token = token_for(["orders"], stores=[store])

    created = post("orders", [sale()], token=token)
    again = post("orders", [sale()], token=token)
    fewer = post("orders", [sale(lines=[sale()["lines"][1]], total_amount="80.00")], token=token)

    assert created.status_code == 200
    assert statuses(created) == ["created"]
    assert created.json()["results"][0]["key"] == "store/T-1"
    assert statuses(again) == ["unchanged"]
    assert statuses(fewer) == ["updated"]
    order = Order.objects.get()
    assert order.store == store
    assert order.customer is None  # no identifiers: a guest
    assert list(OrderLine.objects.values_list("line_number", "quantity")) == [(2, 2)]


def test_an_order_goes_to_the_customer_any_of_its_identifiers_belongs_to(store, catalogue, post, token_for):
    zoe = CustomerFactory(home_store=store)
    CustomerIdentifier.objects.create(customer=zoe, kind="email", value="zoe@example.com")
    token = token_for(["orders"], stores=[store])

    response = post(
        "orders",
        [sale(customer={"email": "  Zoe@Example.COM ", "phone": "07911 123456", "external_id": "POS-77"})],
        token=token,
    )

    assert statuses(response) == ["created"]
    assert Order.objects.get().customer == zoe
    # what she did not have yet is added, normalised (the phone in the store's country)
    assert set(zoe.identifiers.values_list("kind", "namespace", "value")) == {
        ("email", "", "zoe@example.com"),
        ("phone", "", "+447911123456"),
        ("external", "store", "POS-77"),
    }
    second = post("orders", [sale("T-2", customer={"phone": "+44 7911 123456"})], token=token)
    assert statuses(second) == ["created"]
    assert Order.objects.get(external_id="T-2").customer == zoe


def test_an_order_sent_again_with_a_new_identifier_gives_it_to_her_with_a_note_and_an_audit(
    store, catalogue, post, token_for
):
    zoe = CustomerFactory(home_store=store)
    CustomerIdentifier.objects.create(customer=zoe, kind="email", value="zoe@example.com")
    token = token_for(["orders"])  # notes on whose profile an order went to: chain-wide tokens only
    post("orders", [sale(customer={"email": "zoe@example.com"})], token=token)

    response = post(
        "orders", [sale(customer={"email": "zoe@example.com", "phone": "07911 123456"})], token=token
    )

    result = response.json()["results"][0]
    assert result["status"] == "unchanged"  # the order itself is as it was
    assert result["notes"] == ["Her profile was given the phone identifier this order carried."]
    assert zoe.identifiers.filter(kind="phone", value="+447911123456").exists()
    event = AuditEvent.objects.get(action="customer.identifiers_added")
    assert (event.customer_id, event.detail, event.actor_kind[:12]) == (
        zoe.pk,
        {"kinds": ["phone"]},
        "integration:",
    )
    assert "7911" not in str(event.detail)


def test_a_stranger_becomes_a_customer_from_sales_data_whom_staff_cannot_see(
    store, catalogue, post, token_for
):
    token = token_for(["orders"], stores=[store])

    post("orders", [sale(customer={"loyalty": "ab-1234-cd", "given_name": "Ines"})], token=token)
    post("orders", [sale("T-2", customer={"loyalty": "AB1234CD"})], token=token)

    stranger = Customer.objects.get()
    assert stranger.source == Source.SALES
    assert stranger.home_store == store
    assert stranger.given_name == "Ines"
    assert stranger.orders.count() == 2
    assert not consenting(Customer.objects.all(), "profile").exists()  # so no staff page shows her
    events = AuditEvent.objects.filter(action="customer.created_from_sales")
    assert list(events.values_list("customer_id", flat=True)) == [stranger.pk]
    assert AuditEvent.objects.filter(action="orders.upserted").count() == 2
    assert "Ines" not in str(list(AuditEvent.objects.values_list("detail", flat=True)))


def test_profiles_sharing_a_strong_identifier_on_an_order_are_merged(
    store, catalogue, post, token_for, grant
):
    by_email, by_loyalty = CustomerFactory(), CustomerFactory(source="sales")
    grant(by_email)  # she looks after her profile: hers survives
    CustomerIdentifier.objects.create(customer=by_email, kind="email", value="ann@example.com")
    CustomerIdentifier.objects.create(customer=by_loyalty, kind="loyalty", value="LOYAL123")
    earlier = OrderFactory(customer=by_loyalty, store=store)

    response = post(
        "orders", [sale(customer={"email": "ann@example.com", "loyalty": "loyal123"})], token=token_for()
    )

    assert Order.objects.get(external_id="T-1").customer == by_email
    assert Order.objects.get(pk=earlier.pk).customer == by_email
    by_loyalty.refresh_from_db()
    assert by_loyalty.merged_into == by_email
    merge = CustomerMerge.objects.get()
    assert (merge.kind, merge.actor_kind[:12], merge.evidence["shared"]) == (
        "automatic",
        "integration:",
        ["email", "loyalty"],
    )
    assert "merged into one" in response.json()["results"][0]["notes"][0]
    # Sent again: nothing new to merge, the order is unchanged.
    again = post(
        "orders", [sale(customer={"email": "ann@example.com", "loyalty": "loyal123"})], token=token_for()
    )
    assert again.json()["results"][0]["status"] == "unchanged"
    assert CustomerMerge.objects.count() == 1


def test_an_earlier_order_of_a_profile_merged_later_in_the_same_request_goes_to_the_survivor(
    store, catalogue, post, token_for, grant
):
    """T-1 names only the loyalty profile; T-2, after it, shows that profile is hers (by e-mail): T-1
    must end on her profile too, not on the one merged away, and the same request sent again is
    unchanged throughout."""
    by_email, by_loyalty = CustomerFactory(), CustomerFactory(source="sales")
    grant(by_email)  # hers survives
    CustomerIdentifier.objects.create(customer=by_email, kind="email", value="ann@example.com")
    CustomerIdentifier.objects.create(customer=by_loyalty, kind="loyalty", value="LOYAL123")
    orders = [
        sale(external_id="T-1", customer={"loyalty": "loyal123"}),
        sale(external_id="T-2", customer={"email": "ann@example.com", "loyalty": "loyal123"}),
    ]

    first = post("orders", orders, token=token_for())
    again = post("orders", orders, token=token_for())

    assert statuses(first) == ["created", "created"]
    assert set(Order.objects.values_list("customer_id", flat=True)) == {by_email.pk}
    assert statuses(again) == ["unchanged", "unchanged"]


def test_a_shared_phone_only_queues_the_two_profiles_for_review(store, catalogue, post, token_for):
    by_email, by_phone = CustomerFactory(), CustomerFactory()
    CustomerIdentifier.objects.create(customer=by_email, kind="email", value="ann@example.com")
    CustomerIdentifier.objects.create(customer=by_phone, kind="phone", value="+447911123456")

    response = post(
        "orders", [sale(customer={"email": "ann@example.com", "phone": "07911 123456"})], token=token_for()
    )

    assert Order.objects.get().customer == by_email  # the stronger identifier
    assert not CustomerMerge.objects.exists()
    pair = DuplicateCandidate.objects.get()
    assert (pair.first_id, pair.second_id, pair.status) == (by_email.pk, by_phone.pk, "open")
    assert pair.evidence["signals"] == ["shared_phone"]
    assert "queued for a manager's review" in response.json()["results"][0]["notes"][0]


def test_a_store_token_never_merges_customers_outside_its_stores(store, catalogue, post, token_for):
    by_email, by_loyalty = CustomerFactory(), CustomerFactory()
    CustomerIdentifier.objects.create(customer=by_email, kind="email", value="ann@example.com")
    CustomerIdentifier.objects.create(customer=by_loyalty, kind="loyalty", value="LOYAL123")

    response = post(
        "orders",
        [sale(customer={"email": "ann@example.com", "loyalty": "loyal123"})],
        token=token_for(["orders"], stores=[store]),
    )

    assert Order.objects.get().customer == by_loyalty
    assert not CustomerMerge.objects.exists()
    assert DuplicateCandidate.objects.count() == 1
    assert "notes" not in response.json()["results"][0]  # it may not learn whose they were


def test_a_merged_profiles_identifier_leads_to_the_surviving_profile(store, catalogue, post, token_for):
    survivor = CustomerFactory()
    merged = CustomerFactory(merged_into=survivor, merged_at="2026-01-01T00:00:00Z")
    CustomerIdentifier.objects.create(customer=merged, kind="email", value="old@example.com")

    post("orders", [sale(customer={"email": "old@example.com"})], token=token_for(["orders"], stores=[store]))

    assert Order.objects.get().customer == survivor


def test_bad_orders_are_refused_with_reasons_and_the_good_ones_kept(
    store, other_store, catalogue, post, token_for
):
    token = token_for(["orders"], stores=[store])
    items = [
        sale("OK-1"),
        sale("BAD-1", store=other_store.code),
        sale(
            "BAD-2",
            lines=[{"line_number": 1, "product": "NOPE", "quantity": 1, "unit_price": "1", "amount": "1"}],
        ),
        sale("BAD-3", customer={"email": "not an address"}),
        sale("BAD-4", lines=[]),
        sale("OK-1"),
        sale("BAD-5", channel="web", store=None),
        {"channel": "fax"},
        sale("OK-2"),
    ]

    response = post("orders", items, token=token)

    body = response.json()
    assert statuses(response) == [
        "created",
        "error",
        "error",
        "error",
        "error",
        "error",
        "error",
        "error",
        "created",
    ]
    errors = [r.get("errors", {}) for r in body["results"]]
    assert errors[1] == {"store": ["This token may not write this store."]}
    assert "lines.0.product" in errors[2]
    assert "customer.email" in errors[3]
    assert "lines" in errors[4]
    assert errors[5] == {"external_id": ["This order is in the request twice; send it once."]}
    assert "store" in errors[6]  # a store-scoped token names the store
    assert "channel" in errors[7]
    assert set(Order.objects.values_list("external_id", flat=True)) == {"OK-1", "OK-2"}
    assert not Customer.objects.exists()  # the refused order's customer was not created


def test_an_all_stores_token_may_send_web_orders_without_a_store(catalogue, post, token_for):
    response = post(
        "orders",
        [sale("W-1", channel="web", store=None, customer={"email": "web@example.com"})],
        token=token_for(["orders"]),
    )

    assert statuses(response) == ["created"]
    assert Order.objects.get().store is None
    assert Customer.objects.get().identifiers.get().value == "web@example.com"


def test_a_request_of_many_orders_costs_a_fixed_number_of_queries(
    store, catalogue, post, token_for, django_assert_max_num_queries
):
    token = token_for(["orders"], stores=[store])
    post("orders", [sale("WARM")], token=token)  # the token's last_used_at is written once a minute
    few = [sale(f"A-{n}", customer={"email": f"a{n}@example.com"}) for n in range(3)]
    many = [sale(f"B-{n}", customer={"email": f"b{n}@example.com"}) for n in range(60)]

    with django_assert_max_num_queries(30) as small:
        post("orders", few, token=token)
    with django_assert_max_num_queries(30) as large:
        post("orders", many, token=token)

    assert len(large.captured_queries) == len(small.captured_queries)  # per request, not per order
    assert Customer.objects.count() == 63


def test_a_stranger_named_twice_in_one_request_is_one_new_customer(store, catalogue, post, token_for):
    response = post(
        "orders",
        [
            sale("T-1", customer={"email": "new@example.com"}),
            sale("T-2", customer={"email": "NEW@example.com", "phone": "07911 123456"}),
        ],
        token=token_for(["orders"], stores=[store]),
    )

    assert statuses(response) == ["created", "created"]
    stranger = Customer.objects.get()
    assert stranger.orders.count() == 2
    assert sorted(stranger.identifiers.values_list("kind", flat=True)) == ["email", "phone"]


def test_a_store_token_cannot_take_over_another_stores_order(store, other_store, catalogue, post, token_for):
    post("orders", [sale("T-9", store=other_store.code)], token=token_for(["orders"], stores=[other_store]))

    response = post("orders", [sale("T-9", total_amount="1.00")], token=token_for(["orders"], stores=[store]))

    assert statuses(response) == ["error"]
    assert response.json()["results"][0]["errors"] == {
        "store": ["This order is another store's; this token may not change it."]
    }
    assert Order.objects.get(external_id="T-9").store == other_store


def test_a_store_token_gives_no_new_identifiers_to_another_stores_customer(
    store, other_store, catalogue, post, token_for
):
    zoe = CustomerFactory(home_store=other_store)
    CustomerIdentifier.objects.create(customer=zoe, kind="email", value="zoe@example.com")

    response = post(
        "orders",
        [sale(customer={"email": "zoe@example.com", "phone": "+447911123456", "loyalty": "EVIL1234"})],
        token=token_for(["orders"], stores=[store]),
    )

    assert statuses(response) == ["created"]
    assert Order.objects.get().customer == zoe  # the sale is hers
    assert list(zoe.identifiers.values_list("kind", flat=True)) == ["email"]
    assert "notes" not in response.json()["results"][0]  # nothing tells it she shops elsewhere


def test_a_store_token_is_told_the_same_of_an_order_whoever_its_customer_is(
    store, other_store, catalogue, post, token_for
):
    zoe = CustomerFactory(home_store=other_store)
    CustomerIdentifier.objects.create(customer=zoe, kind="email", value="zoe@example.com")
    token = token_for(["orders"], stores=[store])

    hers = post(
        "orders", [sale("T-1", customer={"email": "zoe@example.com", "phone": "07911 123456"})], token=token
    )
    nobodys = post(
        "orders", [sale("T-2", customer={"email": "new@example.com", "phone": "07911 123457"})], token=token
    )

    assert [{k: v for k, v in r.items() if k != "key"} for r in hers.json()["results"]] == [
        {k: v for k, v in r.items() if k != "key"} for r in nobodys.json()["results"]
    ]


def test_an_order_whose_goods_were_returned_keeps_its_lines_and_the_rest_of_the_request_goes_on(
    store, catalogue, post, token_for
):
    token = token_for(["orders"], stores=[store])
    post("orders", [sale("T-1")], token=token)
    order = Order.objects.get(external_id="T-1")
    record = Return.objects.create(
        channel="store", external_id="R1", order=order, returned_at=order.placed_at, refund_amount="40.00"
    )
    ReturnLine.objects.create(
        return_record=record, order_line=order.lines.get(line_number=2), quantity=1, amount="40.00"
    )

    response = post(
        "orders", [sale("T-1", lines=[sale()["lines"][0]], total_amount="420.00"), sale("T-3")], token=token
    )

    assert response.status_code == 200
    assert statuses(response) == ["error", "created"]
    assert "returned" in response.json()["results"][0]["errors"]["lines"][0]
    assert order.lines.count() == 2


def test_a_chain_of_merges_leads_to_the_surviving_profile(store, catalogue, post, token_for):
    survivor = CustomerFactory()
    middle = CustomerFactory(merged_into=survivor, merged_at="2026-01-01T00:00:00Z")
    oldest = CustomerFactory(merged_into=middle, merged_at="2025-01-01T00:00:00Z")
    CustomerIdentifier.objects.create(customer=oldest, kind="email", value="a@example.com")

    post("orders", [sale(customer={"email": "a@example.com"})], token=token_for(["orders"], stores=[store]))

    assert Order.objects.get().customer == survivor
