"""Refreshes racing with each other and with a withdrawal, on real PostgreSQL connections."""

import threading
import time

import pytest
from django.db import connection, connections, transaction
from django.db.models import Q
from django.utils import timezone

from consent.models import PurposeCode
from suggestions import data, incremental, refresh
from suggestions.engine import MODEL_VERSION
from suggestions.models import Suggestion, SuggestionRun
from suggestions.replace import replace_suggestions
from tests.suggestions.conftest import buy


def runs_of(customer) -> set[int]:
    return set(Suggestion.objects.filter(customer=customer).values_list("run_id", flat=True))


def incremental_run() -> SuggestionRun:
    now = timezone.now()
    return SuggestionRun.objects.create(
        kind=SuggestionRun.Kind.INCREMENTAL,
        model_version=MODEL_VERSION,
        started_at=now,
        as_of=now,
        total_batches=1,
    )


@pytest.mark.django_db
def test_a_nightly_batch_that_read_before_an_incremental_refresh_leaves_the_newer_rows(
    crowd, zoe, shop, store
):
    full = refresh.start_full_run()
    batch_read_at = timezone.now()  # the batch reads everyone's data...
    buy(zoe, store, shop["trousers"], days_ago=0)  # ...she buys the trousers...
    newer = incremental_run()
    incremental.refresh_customers([zoe.pk], run=newer)  # ...which a refresh sees and commits first
    assert runs_of(zoe) == {newer.pk}
    ids = data.consenting_customer_ids()

    with transaction.atomic():  # the batch writes last, from what it read before her purchase
        replace_suggestions(full, ids, clear=Q(customer_id__gte=0), now=batch_read_at)

    assert runs_of(zoe) == {newer.pk}
    assert runs_of(crowd[0]) == {full.pk}
    assert shop["trousers"].pk not in Suggestion.objects.filter(customer=zoe).values_list(
        "product_id", flat=True
    )


@pytest.mark.django_db
def test_a_nightly_batch_that_read_after_the_incremental_refresh_replaces_its_rows(crowd, zoe, shop, store):
    full = refresh.start_full_run()
    older = incremental_run()
    incremental.refresh_customers([zoe.pk], run=older)
    ids = data.consenting_customer_ids()

    with transaction.atomic():
        replace_suggestions(full, ids, clear=Q(customer_id__gte=0), now=timezone.now())

    assert runs_of(zoe) == {full.pk}


def _wait_for_lock_wait(pid: int, timeout: float = 20) -> None:
    """Until backend ``pid`` waits on a row lock (PostgreSQL says so; no sleeping and hoping)."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
            row = cursor.fetchone()
            if row and row[0] == "Lock":
                return
            time.sleep(0.02)
    raise AssertionError(f"backend {pid} never waited on a lock")


@pytest.mark.django_db(transaction=True)
def test_a_withdrawal_during_a_batch_waits_for_it_and_then_deletes_what_it_wrote(crowd, zoe, withdraw):
    """Two real connections: the batch holds the consent locks it took to write; her withdrawal (from
    the privacy centre, another connection) waits on them, and once the batch commits, removes what
    it wrote. She never keeps suggestions she said no to."""
    run = refresh.start_full_run()
    batch = run.batches.get()
    written = threading.Event()
    release = threading.Event()
    withdrawer_pid: list[int] = []
    errors: list[BaseException] = []

    def nightly_batch() -> None:
        try:
            with transaction.atomic():
                ids = data.consenting_customer_ids()
                replace_suggestions(
                    run,
                    ids,
                    clear=Q(
                        customer_id__gte=batch.first_customer_id, customer_id__lte=batch.last_customer_id
                    ),
                )
                written.set()
                assert release.wait(30)
        except BaseException as error:  # reported by the main thread
            errors.append(error)
            written.set()
        finally:
            connections.close_all()

    def privacy_centre() -> None:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                withdrawer_pid.append(cursor.fetchone()[0])
            withdraw(zoe, [PurposeCode.SUGGESTIONS])
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    computing = threading.Thread(target=nightly_batch)
    computing.start()
    assert written.wait(60)
    assert not errors
    withdrawing = threading.Thread(target=privacy_centre)
    withdrawing.start()
    while not withdrawer_pid:
        time.sleep(0.01)
    _wait_for_lock_wait(withdrawer_pid[0])  # she waits for the batch's lock on her consent row
    release.set()
    computing.join(30)
    withdrawing.join(30)

    assert not errors
    assert not Suggestion.objects.filter(customer=zoe).exists()
    assert Suggestion.objects.filter(customer=crowd[0]).exists()
