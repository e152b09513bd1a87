import pytest

from audit.models import AuditEvent
from common.models import OutboxTask
from customers.models import Customer
from privacy.services import request_erasure

pytestmark = pytest.mark.django_db


def test_an_erasure_request_is_audited_at_once_and_carried_out_after_commit(
    consenting_customer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        request_erasure(customer=consenting_customer, by=None, actor_kind="customer")

    requested = AuditEvent.objects.get(action="erasure.requested")
    assert (requested.customer_id, requested.actor, requested.actor_kind) == (
        consenting_customer.pk,
        None,
        "customer",
    )
    assert requested.detail == {}
    assert len(callbacks) == 1
    assert Customer.objects.get(pk=consenting_customer.pk).erased_at is None

    callbacks[0]()

    assert Customer.objects.get(pk=consenting_customer.pk).erased_at is not None
    assert AuditEvent.objects.filter(action="erasure.completed", customer=consenting_customer).exists()


def test_staff_can_ask_on_her_behalf_and_are_named_in_the_audit_trail(
    consenting_customer, manager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request_erasure(customer=consenting_customer, by=manager, actor_kind="staff")

    requested = AuditEvent.objects.get(action="erasure.requested")
    assert (requested.actor, requested.actor_kind) == (manager, "staff")
    assert Customer.objects.get(pk=consenting_customer.pk).erased_at is not None


def test_asking_twice_erases_once_and_keeps_both_requests_on_record(
    consenting_customer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request_erasure(customer=consenting_customer, by=None, actor_kind="customer")
        request_erasure(customer=consenting_customer, by=None, actor_kind="customer")

    assert AuditEvent.objects.filter(action="erasure.requested").count() == 2
    completed = AuditEvent.objects.filter(action="erasure.completed").order_by("pk")
    assert [event.detail["already_erased"] for event in completed] == [False]  # one job (common.outbox)
    assert OutboxTask.objects.filter(name="privacy.erase_customer").count() == 1
