"""``manage.py replay_erasures``: after a restore, whoever the ledger lists or asked to be erased is erased
again, through the same erasure, and the run is counted and audited without a name."""

import io
from datetime import UTC, datetime

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from audit.models import AuditEvent
from common import outbox
from customers.models import Customer
from privacy import ledger
from privacy.erasure import erase_customer
from privacy.services import request_erasure
from tests.factories import CustomerFactory
from tests.privacy.conftest import FAMILY_NAME, tables_mentioning

pytestmark = pytest.mark.django_db

MOMENT = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
UNKNOWN = 987_654_321  # an id the restored database never had


def listing(path, *entries: tuple[int, tuple[int, ...]], at: datetime | None = None):  # type: ignore[no-untyped-def]
    """Ledger lines for ``entries``, erased ``at`` (now: after every customer the test made)."""
    for customer_id, merged in entries:
        ledger.append(path, ledger.Entry(customer_id, merged, at or timezone.now()))
    return path


def replay(*args: str) -> dict[str, int]:
    out = io.StringIO()
    call_command("replay_erasures", *args, stdout=out)
    counts = {}
    for line in out.getvalue().splitlines():
        label, _, number = line.rpartition(": ")
        if number.isdigit():
            counts[label] = int(number)
    return counts


def test_whoever_the_ledger_lists_and_the_database_does_not_show_erased_is_erased_again(subject, tmp_path):
    erased_before = CustomerFactory()
    erase_customer(erased_before.pk)
    path = listing(
        tmp_path / "ledger.jsonl", (subject.customer.pk, ()), (erased_before.pk, ()), (UNKNOWN, ())
    )

    counts = replay("--ledger", str(path))

    assert counts == {
        "ledger entries": 3,
        "erased again": 1,
        "already erased": 1,
        "not found": 1,
        "id reused by someone made after the erasure (left alone)": 0,
        "requested and not done, erased now": 0,
    }
    assert tables_mentioning() == {}
    assert AuditEvent.objects.get(action="erasure.completed", customer=subject.customer).detail["reason"] == (
        "restore"
    )
    run = AuditEvent.objects.get(action="replay_erasures.run")
    assert run.customer_id is None
    assert run.detail.pop("run_by")  # the operator's login name
    assert run.detail == {
        "erased_again": 1,
        "already_erased": 1,
        "not_found": 1,
        "id_reused": 0,
        "requests_completed": 0,
        "dry_run": False,
        "listed": 3,
        "ledger": str(path),
    }


def test_a_profile_merged_into_her_after_the_backup_is_erased_again_too(tmp_path):
    """The backup is older than the merge: the profile the ledger lists with her is a customer of
    her own there."""
    her = CustomerFactory()
    duplicate = CustomerFactory(family_name=FAMILY_NAME)
    path = listing(tmp_path / "ledger.jsonl", (her.pk, (duplicate.pk,)))

    counts = replay("--ledger", str(path))

    assert counts["erased again"] == 2
    assert Customer.objects.filter(pk__in=[her.pk, duplicate.pk], erased_at__isnull=False).count() == 2
    assert tables_mentioning((FAMILY_NAME,)) == {}


def test_an_erasure_asked_for_and_not_done_before_the_backup_is_done(
    store, tmp_path, django_capture_on_commit_callbacks
):
    asked = CustomerFactory(family_name=FAMILY_NAME, home_store=store)
    with django_capture_on_commit_callbacks(execute=False):  # the backup was taken before the job ran
        request_erasure(customer=asked, by=None, actor_kind="customer")
    waiting = CustomerFactory(family_name=FAMILY_NAME)  # only her job in the outbox says so
    with django_capture_on_commit_callbacks(execute=False):
        outbox.enqueue("privacy.erase_customer", args=[waiting.pk], key=f"erase:{waiting.pk}")
    (tmp_path / "ledger.jsonl").touch()

    counts = replay("--ledger", str(tmp_path / "ledger.jsonl"))

    assert counts["requested and not done, erased now"] == 2
    assert counts["erased again"] == 0
    assert tables_mentioning((FAMILY_NAME,)) == {}
    assert AuditEvent.objects.get(action="erasure.completed", customer=asked).detail["reason"] == "request"


def test_a_dry_run_counts_and_changes_nothing(subject, store, tmp_path, django_capture_on_commit_callbacks):
    asked = CustomerFactory(home_store=store)
    with django_capture_on_commit_callbacks(execute=False):
        request_erasure(customer=asked, by=None, actor_kind="customer")
    path = listing(tmp_path / "ledger.jsonl", (subject.customer.pk, ()), (UNKNOWN, ()))
    ledger_before = path.read_bytes()
    events_before = AuditEvent.objects.count()
    found_before = tables_mentioning()

    counts = replay("--ledger", str(path), "--dry-run")

    assert counts["erased again"] == 1
    assert counts["not found"] == 1
    assert counts["requested and not done, erased now"] == 1
    assert tables_mentioning() == found_before != {}
    assert Customer.objects.filter(erased_at__isnull=False).count() == 0
    assert AuditEvent.objects.count() == events_before
    assert path.read_bytes() == ledger_before


def test_running_it_again_changes_nothing_more(subject, tmp_path):
    path = listing(tmp_path / "ledger.jsonl", (subject.customer.pk, ()))
    replay("--ledger", str(path))
    erased_at = Customer.objects.get(pk=subject.customer.pk).erased_at

    counts = replay("--ledger", str(path))

    assert (counts["erased again"], counts["already erased"]) == (0, 1)
    assert Customer.objects.get(pk=subject.customer.pk).erased_at == erased_at


def test_without_its_ledger_it_refuses_to_run_and_says_why(tmp_path, settings):
    settings.ERASURE_LEDGER_PATH = tmp_path / "not-restored.jsonl"

    with pytest.raises(CommandError, match=r"no erasure ledger at .*not-restored\.jsonl\. Restore it"):
        call_command("replay_erasures")
    assert not AuditEvent.objects.filter(action="replay_erasures.run").exists()


def test_lines_it_cannot_read_are_reported_after_the_others_are_replayed(subject, tmp_path):
    path = listing(tmp_path / "ledger.jsonl", (subject.customer.pk, ()))
    with path.open("a") as file:
        file.write("not a line of the ledger\n")

    with pytest.raises(CommandError, match=r"1 lines of the ledger could not be read \(line 2\)"):
        call_command("replay_erasures", "--ledger", str(path), stdout=io.StringIO())
    assert Customer.objects.get(pk=subject.customer.pk).erased_at is not None


def test_the_output_names_no_one(subject, tmp_path):
    path = listing(tmp_path / "ledger.jsonl", (subject.customer.pk, ()))
    out = io.StringIO()

    call_command("replay_erasures", "--ledger", str(path), stdout=out)

    assert FAMILY_NAME not in out.getvalue()
    assert str(subject.customer.public_id) not in out.getvalue()


def test_an_id_the_restore_handed_to_someone_made_after_the_erasure_is_left_alone(subject, tmp_path):
    """A restore sets the id counter back: the id of someone erased after the backup may be given
    to a new customer before the replay. She is not the one who asked."""
    path = listing(tmp_path / "ledger.jsonl", (subject.customer.pk, ()), at=MOMENT)
    assert subject.customer.created_at > MOMENT

    counts = replay("--ledger", str(path))

    assert counts["erased again"] == 0
    assert counts["id reused by someone made after the erasure (left alone)"] == 1
    assert Customer.objects.get(pk=subject.customer.pk).erased_at is None
