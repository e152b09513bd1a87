"""Managers' pages that list customers record whom they showed (ids and a count), like the tablet's."""

import pytest

from audit.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_manager(client, manager):
    client.force_login(manager)
    return client


def listed(page: str) -> list[int]:
    return [
        pk
        for detail in AuditEvent.objects.filter(action="customers.listed").values_list("detail", flat=True)
        if detail["page"] == page
        for pk in detail["shown"]
    ]


def test_the_client_book_records_the_customers_it_listed(as_manager, consenting_customer):
    assert as_manager.get("/books/").status_code == 200

    assert listed("client book") == [consenting_customer.pk]


def test_a_customers_audit_trail_is_a_view_of_her(as_manager, manager, consenting_customer):
    response = as_manager.get(f"/audit/customers/{consenting_customer.public_id}/")

    assert response.status_code == 200
    event = AuditEvent.objects.get(action="customer.viewed", actor=manager)
    assert (event.customer_id, event.detail) == (consenting_customer.pk, {"via": "audit trail"})


def test_a_page_that_lists_no_one_records_nothing(as_manager):
    assert as_manager.get("/outreach/messages/").status_code == 200

    assert not AuditEvent.objects.filter(action="customers.listed").exists()
