"""The erasure ledger: a line for each erasure that committed, on disk, with nothing personal in it."""

import json
import logging
from datetime import UTC, datetime

import pytest
from django.db import transaction
from django.utils import timezone

from audit.models import AuditEvent
from common.models import OutboxTask
from customers.models import Customer
from privacy import ledger, tasks
from privacy.erasure import LedgerNotWritten, Reason, erase_customer
from tests.factories import CustomerFactory
from tests.privacy.conftest import NEEDLES, mentions


class Rollback(Exception):
    pass


@pytest.mark.django_db
def test_an_erasure_is_written_to_the_ledger_only_once_it_commits(
    subject, erasure_ledger, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as after_commit:
        erase_customer(subject.customer.pk)
    assert not erasure_ledger.exists()  # erased, not yet committed: not listed

    for callback in after_commit:
        callback()

    [entry] = ledger.read(erasure_ledger).entries
    assert entry.customer_id == subject.customer.pk
    assert entry.merged_profile_ids == ()


@pytest.mark.django_db
def test_an_erasure_rolled_back_is_never_written_to_the_ledger(
    subject, erasure_ledger, django_capture_on_commit_callbacks
):
    def erase_then_fail() -> None:
        with transaction.atomic():
            erase_customer(subject.customer.pk)
            raise Rollback

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Rollback):
        erase_then_fail()

    assert not erasure_ledger.exists()
    assert Customer.objects.get(pk=subject.customer.pk).erased_at is None


@pytest.mark.django_db
def test_the_ledger_holds_her_ids_and_a_time_and_nothing_personal(
    subject, erasure_ledger, django_capture_on_commit_callbacks
):
    her = subject.customer
    duplicate = CustomerFactory(
        given_name="Zephyrine", family_name="Quillfeather", merged_into=her, merged_at=timezone.now()
    )
    public_ids = {str(her.public_id), str(duplicate.public_id)}

    with django_capture_on_commit_callbacks(execute=True):
        erase_customer(her.pk)

    text = erasure_ledger.read_text()
    assert mentions(text, (*NEEDLES, *public_ids)) == []
    [line] = [json.loads(line) for line in text.splitlines()]
    assert set(line) == {"customer_id", "merged_profile_ids", "completed_at"}
    assert (line["customer_id"], line["merged_profile_ids"]) == (her.pk, [duplicate.pk])
    assert datetime.fromisoformat(line["completed_at"]).tzinfo is not None


def test_a_line_cut_short_by_a_crash_stays_unreadable_on_its_own(tmp_path):
    path = tmp_path / "ledger.jsonl"
    moment = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
    ledger.append(path, ledger.Entry(1, (), moment))
    with path.open("a") as file:
        file.write('{"customer_id": 2, "merged_pro')  # the crash
    ledger.append(path, ledger.Entry(3, (4,), moment))

    read = ledger.read(path)

    assert read.entries == [ledger.Entry(1, (), moment), ledger.Entry(3, (4,), moment)]
    assert read.unreadable_lines == [2]


# --- When the ledger cannot be written ---------------------------------------------------------------
# Transactional: what happens after a real commit, as on a worker.


def open_job(customer: Customer) -> OutboxTask:
    return OutboxTask.objects.get(key=f"erase:{customer.pk}", done_at__isnull=True)


@pytest.mark.django_db(transaction=True)
def test_an_erasure_job_whose_ledger_line_fails_is_erased_fails_loudly_and_stays_open_until_written(
    settings, tmp_path, caplog
):
    customer = CustomerFactory(given_name="Ottilie")
    job = OutboxTask.objects.create(
        name="privacy.erase_customer", args=[customer.pk], key=f"erase:{customer.pk}"
    )
    settings.ERASURE_LEDGER_PATH = tmp_path  # a folder: it cannot be opened as a file

    with caplog.at_level(logging.ERROR), pytest.raises(LedgerNotWritten):
        tasks.erase_customer.apply(args=[customer.pk], task_id=str(job.task_id), headers={"outbox": "1"})

    customer.refresh_from_db()
    assert customer.erased_at is not None  # the erasure itself committed
    assert customer.given_name == ""
    assert AuditEvent.objects.filter(action="erasure.completed", customer=customer).count() == 1
    assert open_job(customer).pk == job.pk  # the relay will publish it again
    assert "LedgerNotWritten" in open_job(customer).last_error
    [logged] = [record for record in caplog.records if "ledger was not written" in record.getMessage()]
    assert logged.levelno == logging.ERROR
    assert logged.customer_id == customer.pk  # type: ignore[attr-defined]

    settings.ERASURE_LEDGER_PATH = tmp_path / "ledger.jsonl"  # the volume is back
    tasks.erase_customer.apply(args=[customer.pk], task_id=str(job.task_id), headers={"outbox": "1"})

    assert not OutboxTask.objects.filter(pk=job.pk, done_at__isnull=True).exists()
    assert [entry.customer_id for entry in ledger.read(settings.ERASURE_LEDGER_PATH).entries] == [customer.pk]


@pytest.mark.django_db(transaction=True)
def test_an_erasure_inside_a_larger_transaction_whose_ledger_line_fails_opens_a_job_to_try_again(
    settings, tmp_path
):
    """As retention erases: the ledger is written when the larger transaction commits, after
    ``erase_customer`` returned; a job in the outbox is then what tries again."""
    customer = CustomerFactory(given_name="Ottilie")
    settings.ERASURE_LEDGER_PATH = tmp_path

    with transaction.atomic():
        erase_customer(customer.pk, reason=Reason.RETENTION)

    job = open_job(customer)
    assert (job.name, job.args, job.kwargs) == (
        "privacy.erase_customer",
        [customer.pk],
        {"reason": "retention"},
    )
    assert Customer.objects.get(pk=customer.pk).erased_at is not None
