"""The refresh on real Celery workers and Redis: fanned out in batches, and surviving a killed worker."""

import io
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis
from django.core.management import CommandError, call_command
from django.db import connection

from clienteling.celery import app
from common.db_roles import as_owner
from suggestions import data, refresh, tasks
from suggestions.models import Suggestion, SuggestionBatch, SuggestionRun
from tests.conftest import _forget_connections
from tests.factories import CustomerFactory
from tests.processes import child_env, wait_for
from tests.suggestions.conftest import SUGGESTIONS, buy

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]


def latest_run() -> SuggestionRun:
    return SuggestionRun.objects.order_by("-started_at").first()


def assert_one_complete_current_set_each(run: SuggestionRun, consenting: list[int]) -> None:
    """Every consenting customer has suggestions from ``run`` only, with ranks 1..n in each list."""
    rows = list(Suggestion.objects.values_list("customer_id", "list", "rank", "run_id"))
    assert {customer for customer, *_ in rows} == set(consenting)
    assert {run_id for *_, run_id in rows} == {run.pk}
    lists: dict[tuple[int, str], list[int]] = {}
    for customer, which, rank, _ in rows:
        lists.setdefault((customer, which), []).append(rank)
    for ranks in lists.values():
        assert sorted(ranks) == list(range(1, len(ranks) + 1))


@pytest.fixture
def more_people(crowd, zoe, shop, store, grant):
    """Enough consenting customers for a dozen batches of three."""
    for n in range(6):
        person = CustomerFactory(given_name=f"Q{n}", home_store=store)
        grant(person, SUGGESTIONS, store=store)
        buy(person, store, shop["blazer"], days_ago=20 + n)
    return [*crowd, zoe]


def consenting_ids() -> list[int]:
    return data.consenting_customer_ids().tolist()  # the same selector the refresh uses


def test_the_nightly_task_fans_batches_out_to_a_worker_and_finishes_the_run(
    celery_worker, more_people, settings
):
    settings.SUGGESTIONS_BATCH_SIZE = 10

    result = tasks.refresh_all.delay()
    planned = result.get(timeout=60)

    assert type(result).__name__ == "AsyncResult"
    wait_for(lambda: latest_run().status == SuggestionRun.Status.DONE)
    run = latest_run()
    assert planned == {"run": run.pk, "batches": run.total_batches}
    assert run.done_batches == run.total_batches == 5
    assert_one_complete_current_set_each(run, consenting_ids())


SLOW_INSERTS = """
    CREATE FUNCTION test_slow_batch() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN PERFORM pg_sleep(0.4); RETURN NULL; END $$;
    CREATE TRIGGER test_slow_batch AFTER INSERT ON suggestions_suggestion
        FOR EACH STATEMENT EXECUTE FUNCTION test_slow_batch();
"""


@pytest.fixture
def slow_batches() -> Iterator[None]:
    """Each batch's write takes 0.4 s, so a worker can be killed in the middle of a run."""
    with as_owner(), connection.cursor() as cursor:  # the app's role may not add a trigger
        cursor.execute(SLOW_INSERTS)
    yield
    with as_owner(), connection.cursor() as cursor:
        cursor.execute(
            "DROP TRIGGER test_slow_batch ON suggestions_suggestion; DROP FUNCTION test_slow_batch();"
        )


@pytest.fixture
def worker_process(queue: str) -> Iterator[Callable[..., subprocess.Popen[bytes]]]:
    """Start a separate worker process (so it can be killed outright) on the test database."""
    started: list[subprocess.Popen[bytes]] = []
    base = {"CELERY_BROKER_URL": queue, "CELERY_RESULT_BACKEND": queue, "SUGGESTIONS_BATCH_SIZE": "3"}

    def start(**extra: str) -> subprocess.Popen[bytes]:
        env = child_env(**base, **extra)
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "clienteling",
                "worker",
                "--pool=solo",
                "--without-heartbeat",
                "--without-mingle",
                "--without-gossip",
                "--loglevel=WARNING",
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@pytest.fixture
def queue(redis_url: str) -> Iterator[str]:
    """This process sends tasks to Redis (the broker Celery resolves: CELERY_BROKER_URL in the
    environment wins over the app's configuration), starting from an empty queue; yields its URL."""
    saved = {key: app.conf[key] for key in ("broker_url", "result_backend", "task_always_eager")}
    app.conf.update(broker_url=redis_url, result_backend=redis_url, task_always_eager=False)
    _forget_connections()
    broker = app.conf.broker_url
    redis.Redis.from_url(broker).ping()
    app.control.purge()
    yield broker
    app.control.purge()
    app.conf.update(saved)
    _forget_connections()


def test_a_worker_killed_mid_run_leaves_no_half_written_customer_and_the_next_run_finishes_it(
    more_people, queue, worker_process, slow_batches, settings
):
    settings.SUGGESTIONS_BATCH_SIZE = 3
    tonight = run_killed_part_way(worker_process)
    first = SuggestionRun.objects.exclude(pk=tonight.pk).get()

    # Run again. The batches still queued would let any new worker finish the run by themselves;
    # drop them (the worst case: the broker lost its queue) so the resume itself is what is tested.
    app.control.purge()
    worker_process()
    tasks.refresh_all.delay()
    wait_for(
        lambda: SuggestionRun.objects.get(pk=tonight.pk).status == SuggestionRun.Status.DONE, timeout=120
    )

    assert SuggestionRun.objects.count() == 2  # resumed, not started over
    assert first.pk != tonight.pk
    run = SuggestionRun.objects.get(pk=tonight.pk)
    assert run.done_batches == run.total_batches
    assert sum(run.batches.values_list("suggestions", flat=True)) == run.suggestions
    assert_one_complete_current_set_each(run, consenting_ids())


def test_a_batch_lost_with_a_killed_worker_comes_back_by_itself(
    more_people, queue, worker_process, slow_batches, settings
):
    """No one runs the refresh again: the batch the dead worker held returns to the queue after the
    broker's visibility timeout (CELERY_VISIBILITY_TIMEOUT, short here) and the next worker does it."""
    settings.SUGGESTIONS_BATCH_SIZE = 3
    tonight = run_killed_part_way(worker_process)

    worker_process(CELERY_VISIBILITY_TIMEOUT="2", CELERY_UNACKED_RESTORE_SECONDS="1")

    wait_for(
        lambda: SuggestionRun.objects.get(pk=tonight.pk).status == SuggestionRun.Status.DONE, timeout=120
    )
    assert_one_complete_current_set_each(SuggestionRun.objects.get(pk=tonight.pk), consenting_ids())


def test_a_run_whose_queue_was_lost_is_resumed_by_the_watchdog(
    more_people, queue, worker_process, slow_batches, settings
):
    settings.SUGGESTIONS_BATCH_SIZE = 3
    tonight = run_killed_part_way(worker_process)
    app.control.purge()  # the broker lost its queue: nothing would ever finish tonight's run
    settings.SUGGESTIONS_STALL_MINUTES = 0  # quiet long enough (the beat task checks every 5 minutes)

    resent = tasks.resume_stalled()
    worker_process()

    assert resent == {"run": tonight.pk, "resent": tonight.total_batches - tonight.done_batches}
    wait_for(
        lambda: SuggestionRun.objects.get(pk=tonight.pk).status == SuggestionRun.Status.DONE, timeout=120
    )
    assert SuggestionRun.objects.count() == 2
    assert_one_complete_current_set_each(SuggestionRun.objects.get(pk=tonight.pk), consenting_ids())


def run_killed_part_way(worker_process: Callable[..., subprocess.Popen[bytes]]) -> SuggestionRun:
    """Yesterday's run done here; tonight's on a worker process killed (SIGKILL, its whole group) after
    two batches. Returns tonight's run, unfinished."""
    first = refresh.run_full_refresh()  # yesterday's suggestions, in this process
    assert first.total_batches == 16  # 47 customers, 3 a batch

    # Tonight's run, on a worker process that dies part-way.
    worker = worker_process()
    tasks.refresh_all.delay()

    def tonight_has_two_batches_done() -> bool:
        if worker.poll() is not None:
            raise AssertionError(f"the worker exited: {worker.stderr.read().decode()[-3000:]}")
        done = SuggestionBatch.objects.exclude(run=first).filter(done_at__isnull=False)
        return done.count() >= 2

    try:
        wait_for(tonight_has_two_batches_done, timeout=30)
    except AssertionError:
        os.killpg(worker.pid, signal.SIGKILL)
        raise AssertionError(worker.stderr.read().decode()[-5000:]) from None
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=10)
    tonight = latest_run()
    assert tonight.pk != first.pk
    assert tonight.status == SuggestionRun.Status.RUNNING
    assert 2 <= tonight.done_batches < tonight.total_batches
    # Every customer still has one whole set: yesterday's or tonight's, never a mix or none.
    for customer in consenting_ids():
        assert len(set(Suggestion.objects.filter(customer_id=customer).values_list("run_id", flat=True))) == 1
    return tonight


def test_queue_mode_without_workers_says_so_and_gives_up_instead_of_waiting_for_ever(
    more_people, queue, settings
):
    settings.SUGGESTIONS_BATCH_SIZE = 10
    settings.SUGGESTIONS_STALL_MINUTES = 0  # give up at once (it is 10 minutes, twice)
    out, err = io.StringIO(), io.StringIO()

    with pytest.raises(CommandError, match=r"no batch finished .* Are workers running\?"):
        call_command("refresh_suggestions", "--queue", stdout=out, stderr=err)

    assert "sending 5 again" in err.getvalue()  # first, its batches were sent once more
    run = latest_run()
    assert run.status == SuggestionRun.Status.RUNNING  # kept, for the next attempt to resume
    assert redis.Redis.from_url(queue).llen("celery") == 10  # each batch sent twice, none taken
