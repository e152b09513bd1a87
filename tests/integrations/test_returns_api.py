"""Returns over the bulk API: against the order's lines, never more than was bought."""

import pytest

from sales.models import Return
from tests.integrations.conftest import sale, statuses

pytestmark = pytest.mark.django_db


def refund(external_id="R-1", *, lines=None, **extra):
    return {
        "channel": "store",
        "external_id": external_id,
        "order_channel": "store",
        "order_external_id": "T-1",
        "store": "london",
        "returned_at": "2026-11-22T10:00:00+00:00",
        "reason": "Too small",
        "refund_amount": "40.00",
        "lines": lines if lines is not None else [{"line_number": 2, "quantity": 1, "amount": "40.00"}],
    } | extra


@pytest.fixture
def order(store, catalogue, post, token_for):
    post("orders", [sale(customer={"email": "zoe@example.com"})], token=token_for(["orders"], stores=[store]))


def test_a_return_is_created_unchanged_and_updated(store, order, post, token_for):
    token = token_for(["orders"], stores=[store])

    created = post("returns", [refund()], token=token)
    again = post("returns", [refund()], token=token)
    more = post(
        "returns",
        [refund(lines=[{"line_number": 2, "quantity": 2, "amount": "80.00"}], refund_amount="80.00")],
        token=token,
    )

    assert statuses(created) == ["created"]
    assert statuses(again) == ["unchanged"]
    assert statuses(more) == ["updated"]
    record = Return.objects.get()
    assert record.customer.identifiers.get().value == "zoe@example.com"  # the order's customer
    assert list(record.lines.values_list("quantity", flat=True)) == [2]


def test_no_more_can_be_returned_than_was_bought_across_returns(store, order, post, token_for):
    token = token_for(["orders"], stores=[store])
    post("returns", [refund()], token=token)

    response = post(
        "returns",
        [
            refund("R-2", lines=[{"line_number": 2, "quantity": 2, "amount": "80.00"}]),
            refund("R-3", lines=[{"line_number": 9, "quantity": 1, "amount": "1.00"}]),
            refund("R-4", order_external_id="NOPE"),
            refund("R-5", lines=[{"line_number": 2, "quantity": 1, "amount": "40.00"}]),
        ],
        token=token,
    )

    assert statuses(response) == ["error", "error", "error", "created"]
    errors = [r.get("errors") for r in response.json()["results"]]
    assert errors[0] == {"lines.0.quantity": ["Only 1 of this line can still be returned."]}
    assert "lines.0.line_number" in errors[1]
    assert "order_external_id" in errors[2]
    assert set(Return.objects.values_list("external_id", flat=True)) == {"R-1", "R-5"}


def test_a_store_token_may_not_record_returns_at_another_store(store, other_store, order, post, token_for):
    response = post("returns", [refund(store=other_store.code)], token=token_for(["orders"], stores=[store]))

    assert statuses(response) == ["error"]
    assert not Return.objects.exists()
