"""The refresh's watchdog: a stalled full run is sent again once per quiet period, never because its
fit was long or because the batches it sent are slow."""

from datetime import timedelta

import pytest
from django.utils import timezone

from suggestions import refresh, tasks
from suggestions.models import SuggestionRun

pytestmark = pytest.mark.django_db


def minutes_ago(minutes: float):
    return timezone.now() - timedelta(minutes=minutes)


def started_and_sent(run: SuggestionRun, *, started: float, sent: float) -> None:
    """The run began ``started`` minutes ago and its batches were sent ``sent`` minutes ago."""
    SuggestionRun.objects.filter(pk=run.pk).update(
        started_at=minutes_ago(started), batches_sent_at=minutes_ago(sent)
    )


@pytest.fixture
def sent(monkeypatch) -> list[int]:
    """The batch ids sent to the broker (the one thing here that leaves the process)."""
    ids: list[int] = []
    monkeypatch.setattr(tasks.refresh_batch, "delay", ids.append)
    return ids


@pytest.fixture
def run(crowd, zoe, settings) -> SuggestionRun:
    settings.SUGGESTIONS_BATCH_SIZE = 10
    settings.SUGGESTIONS_STALL_MINUTES = 10
    return refresh.start_full_run()  # 41 customers: 5 batches


def test_a_fit_longer_than_the_stall_time_does_not_have_its_batches_sent_twice(run, sent):
    SuggestionRun.objects.filter(pk=run.pk).update(started_at=minutes_ago(30))  # a 30-minute fit
    refresh.note_batches_sent(run)  # what refresh_all does when the fit is done

    assert tasks.resume_stalled() == {"run": 0, "resent": 0}
    assert sent == []


def test_a_quiet_run_is_sent_again_once_per_quiet_period_while_its_batches_stay_slow(run, sent):
    started_and_sent(run, started=60, sent=11)

    assert tasks.resume_stalled() == {"run": run.pk, "resent": 5}
    assert len(sent) == 5
    # Beat comes back every 5 minutes; the batches sent again are slow too (none finishes).
    SuggestionRun.objects.filter(pk=run.pk).update(batches_sent_at=minutes_ago(5))
    assert tasks.resume_stalled() == {"run": 0, "resent": 0}
    SuggestionRun.objects.filter(pk=run.pk).update(batches_sent_at=minutes_ago(10))
    assert tasks.resume_stalled() == {"run": run.pk, "resent": 5}
    assert len(sent) == 10


def test_a_batch_finished_lately_keeps_a_run_from_counting_as_stalled(run, sent):
    started_and_sent(run, started=60, sent=50)
    run.batches.filter(number=0).update(done_at=minutes_ago(3))

    assert tasks.resume_stalled() == {"run": 0, "resent": 0}
    assert refresh.stalled_full_run(quiet_for=timedelta(minutes=3)) == run


def test_two_watchdogs_that_saw_the_same_stalled_run_send_it_once(run, sent, monkeypatch):
    started_and_sent(run, started=60, sent=11)
    # Both read it before either sent its batches.
    seen = iter([refresh.stalled_full_run(quiet_for=timedelta(minutes=10)) for _ in range(2)])
    monkeypatch.setattr(refresh, "stalled_full_run", lambda quiet_for: next(seen))

    first = refresh.claim_stalled_full_run(quiet_for=timedelta(minutes=10))
    second = refresh.claim_stalled_full_run(quiet_for=timedelta(minutes=10))

    assert first == run
    assert second is None
