"""Nothing asked for is lost: what a customer or an associate asks for is recorded with the request,
published when the broker can take it, and done once. The fault tests stop a Redis of their own
(SIGKILL, in memory only) while people use the app, then start it again."""

import pytest
from django.core import mail
from django.db import transaction
from django.test import Client

from audit.models import AuditEvent
from common import outbox
from common.models import OutboxTask
from consent.models import DataExport
from customer_site.privacy_session import issue_link
from customers.models import Customer
from outreach.models import Message
from privacy.services import request_erasure
from tests.faults import broker, own_redis, wait_for, worker
from tests.outreach import conftest as outreach

store = outreach.store  # a store without quiet hours: a message leaves at once
reachable = outreach.reachable


@pytest.fixture(autouse=True)
def fast_path_awake():  # type: ignore[no-untyped-def]
    outbox.wake()
    yield
    outbox.wake()


def broker_comes_back(server) -> None:  # type: ignore[no-untyped-def]
    """Once the fast path has given up on the stopped broker, start it again."""
    wait_for(outbox.broker_resting, what="the fast path to give up on the broker")
    server.start()


def signed_in_as(customer: Customer) -> Client:
    browser = Client()
    token = issue_link(customer, channel="email").rsplit("/link/", 1)[1].strip("/")
    assert browser.post(f"/me/link/{token}/").status_code == 302
    return browser


def done(job: OutboxTask) -> bool:
    return OutboxTask.objects.filter(pk=job.pk, done_at__isnull=False).exists()


def completed_erasures(customer: Customer) -> int:
    return AuditEvent.objects.filter(action="erasure.completed", customer_id=customer.pk).count()


# --- In process ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_job_is_recorded_with_the_request_and_not_without_it(reachable):
    def request_that_fails_after_asking() -> None:
        with transaction.atomic():
            request_erasure(customer=reachable, by=None, actor_kind="customer")
            raise RuntimeError("the request fails after asking")

    with pytest.raises(RuntimeError):
        request_that_fails_after_asking()

    assert not OutboxTask.objects.exists()
    assert not AuditEvent.objects.filter(action="erasure.requested").exists()


@pytest.fixture
def erasure_runs(monkeypatch) -> list[int]:  # type: ignore[no-untyped-def]
    """The customers each run of the erasure job was for (the job itself, wrapped to be counted)."""
    from privacy import erasure

    runs: list[int] = []
    real = erasure.erase_customer

    def counted(customer_id, **kwargs):  # type: ignore[no-untyped-def]
        runs.append(customer_id)
        return real(customer_id, **kwargs)

    monkeypatch.setattr(erasure, "erase_customer", counted)
    return runs


@pytest.mark.django_db
def test_asking_twice_is_one_job_and_a_job_runs_once_however_often_it_is_published(
    reachable, django_capture_on_commit_callbacks, erasure_runs
):
    with django_capture_on_commit_callbacks(execute=False) as published:
        first = outbox.enqueue("privacy.erase_customer", args=[reachable.pk], key=f"erase:{reachable.pk}")
        again = outbox.enqueue("privacy.erase_customer", args=[reachable.pk], key=f"erase:{reachable.pk}")
    assert again.pk == first.pk
    assert OutboxTask.objects.count() == 1

    for callback in published[:1]:
        callback()  # published as the request ends: run here, as tests run tasks
    assert done(first)
    assert completed_erasures(reachable) == 1

    outbox.publish(outbox.Job(first.task_id, first.name, first.args, first.kwargs))  # a duplicate
    assert erasure_runs == [reachable.pk]
    assert completed_erasures(reachable) == 1
    assert outbox.relay()["sent"] == 0  # done: nothing is due


@pytest.mark.django_db
def test_a_failed_run_frees_the_job_for_the_next_copy(reachable, monkeypatch):
    from privacy import erasure

    job = outbox.enqueue("privacy.erase_customer", args=[reachable.pk])

    def fails(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise OSError("disk full")

    monkeypatch.setattr(erasure, "erase_customer", fails)
    with pytest.raises(OSError, match="disk full"):
        outbox.publish(outbox.Job(job.task_id, job.name, job.args, job.kwargs))
    job.refresh_from_db()
    assert (job.done_at, job.started_at) == (None, None)
    assert job.last_error == "OSError: disk full"

    monkeypatch.undo()
    OutboxTask.objects.filter(pk=job.pk).update(due_at=job.created_at)
    assert outbox.relay()["sent"] == 1
    assert done(job)
    assert completed_erasures(reachable) == 1


# --- The broker away ----------------------------------------------------------------------------------


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_her_erasure_asked_while_the_broker_is_down_is_done_once_when_it_is_back(reachable, erasure_runs):
    phone = signed_in_as(reachable)
    with own_redis() as server, broker(server.url):
        server.stop()

        response = phone.post("/me/erase/", {"confirm": "on"})

        # Answered before the broker's absence is even known (the client retries for seconds): the
        # request never waits on the broker.
        assert not outbox.broker_resting()
        assert response.status_code == 200
        assert "We are erasing your data" in response.content.decode()
        job = OutboxTask.objects.get(name="privacy.erase_customer")
        assert (job.args, job.sent_at) == ([reachable.pk], None)
        assert Customer.objects.get(pk=reachable.pk).erased_at is None

        broker_comes_back(server)
        assert outbox.relay()["sent"] == 1
        with worker():
            wait_for(lambda: done(job), what="the erasure")
            assert Customer.objects.get(pk=reachable.pk).erased_at is not None
            assert completed_erasures(reachable) == 1

            outbox.publish(outbox.Job(job.task_id, job.name, job.args, job.kwargs))  # redelivered
            wait_for(lambda: server.queued() == 0, what="the copy to be taken")
        assert erasure_runs == [reachable.pk]  # the worker finished the copy before it stopped
        assert completed_erasures(reachable) == 1
        assert outbox.relay()["sent"] == 0


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_download_asked_while_the_broker_is_down_is_built_when_it_is_back(reachable, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    phone = signed_in_as(reachable)
    with own_redis() as server, broker(server.url):
        server.stop()

        asked = phone.post("/me/export/")
        again = phone.post("/me/export/")  # a second tap: the same download, not a second job

        assert asked.status_code < 400
        assert again.status_code < 400
        export = DataExport.objects.get(customer=reachable)
        assert export.status == DataExport.Status.PENDING
        assert OutboxTask.objects.filter(name="consent.build_export").count() == 1

        broker_comes_back(server)
        assert outbox.relay()["sent"] == 1
        with worker():
            wait_for(
                lambda: DataExport.objects.filter(pk=export.pk, status=DataExport.Status.READY).exists(),
                what="the download",
            )


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_message_sent_from_the_card_while_the_broker_is_down_is_saved_and_sent_once(
    client, reachable, associate
):
    client.force_login(associate)
    with own_redis() as server, broker(server.url):
        server.stop()

        response = client.post(
            f"/customers/{reachable.public_id}/messages/",
            {"channel": "email", "subject": "Your size", "body": "It is back in store."},
            headers={"HX-Request": "true"},
        )

        assert response.status_code == 200
        message = Message.objects.get()
        assert message.status == Message.Status.QUEUED
        assert mail.outbox == []

        broker_comes_back(server)
        assert outbox.relay()["sent"] == 1
        with worker():
            wait_for(lambda: Message.objects.filter(status=Message.Status.SENT).exists(), what="the message")
        assert len(mail.outbox) == 1


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_with_the_broker_up_a_job_is_published_at_once_and_the_relay_has_nothing_to_do(reachable):
    with own_redis() as server, broker(server.url):
        with worker():
            request_erasure(customer=reachable, by=None, actor_kind="customer")
            job = OutboxTask.objects.get()
            wait_for(lambda: done(job), what="the erasure")
            wait_for(lambda: OutboxTask.objects.filter(pk=job.pk, sent_at__isnull=False).exists())
        job.refresh_from_db()
        assert job.attempts == 1
        assert outbox.relay()["sent"] == 0
