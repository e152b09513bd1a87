"""What the refresh tells Prometheus (common.metrics): batches and customers as each batch is written,
and each run's outcome, length and customers as it ends, full or incremental."""

from datetime import timedelta

import pytest
from django.utils import timezone

from suggestions import incremental, refresh
from suggestions.models import SuggestionRun
from tests.factories import CustomerFactory
from tests.metrics import counted
from tests.suggestions.conftest import SUGGESTIONS, buy

pytestmark = pytest.mark.django_db


def test_a_full_refresh_counts_its_batches_and_customers_and_records_its_end(crowd, zoe, settings):
    settings.SUGGESTIONS_BATCH_SIZE = 10
    batches, customers = (
        counted("clienteling_suggestion_batches_total"),
        counted("clienteling_suggestion_customers_refreshed_total", kind="full"),
    )
    done = counted("clienteling_suggestion_refreshes_total", kind="full", outcome="done")
    timed = counted("clienteling_suggestion_refresh_duration_seconds_count", kind="full")

    run = refresh.run_full_refresh()

    assert run.status == SuggestionRun.Status.DONE
    assert counted("clienteling_suggestion_batches_total") == batches + run.total_batches == batches + 5
    assert counted("clienteling_suggestion_customers_refreshed_total", kind="full") == customers + 41
    assert counted("clienteling_suggestion_refreshes_total", kind="full", outcome="done") == done + 1
    assert counted("clienteling_suggestion_refresh_duration_seconds_count", kind="full") == timed + 1
    assert counted("clienteling_suggestion_last_refresh_customers", kind="full") == run.customers == 41
    finished = counted("clienteling_suggestion_last_refresh_timestamp_seconds", kind="full")
    assert finished == pytest.approx(run.finished_at.timestamp())


def test_a_batch_delivered_again_is_not_counted_twice(crowd, zoe, settings):
    settings.SUGGESTIONS_BATCH_SIZE = 100
    refresh.run_full_refresh()
    batch = SuggestionRun.objects.get().batches.get()
    batches = counted("clienteling_suggestion_batches_total")

    assert refresh.compute_batch(batch.pk) == 0  # done already

    assert counted("clienteling_suggestion_batches_total") == batches


def test_an_incremental_refresh_counts_the_customers_whose_data_changed(crowd, shop, store, grant):
    refresh.run_full_refresh()
    newcomer = CustomerFactory(home_store=store)
    buy(newcomer, store, shop["blazer"], days_ago=3)
    grant(newcomer, SUGGESTIONS, store=store)
    customers = counted("clienteling_suggestion_customers_refreshed_total", kind="incremental")
    done = counted("clienteling_suggestion_refreshes_total", kind="incremental", outcome="done")

    run = incremental.run_incremental_refresh()

    assert run is not None
    assert counted("clienteling_suggestion_refreshes_total", kind="incremental", outcome="done") == done + 1
    assert (
        counted("clienteling_suggestion_customers_refreshed_total", kind="incremental")
        == customers + run.customers
    )
    assert counted("clienteling_suggestion_last_refresh_customers", kind="incremental") == run.customers


def test_a_run_left_unfinished_too_long_is_counted_as_failed(crowd, settings):
    settings.SUGGESTIONS_BATCH_SIZE = 10
    run = refresh.start_full_run()
    SuggestionRun.objects.filter(pk=run.pk).update(started_at=timezone.now() - timedelta(days=2))
    failed = counted("clienteling_suggestion_refreshes_total", kind="full", outcome="failed")

    assert refresh.unfinished_full_run() is None
    assert refresh.unfinished_full_run() is None  # marked once, counted once

    assert counted("clienteling_suggestion_refreshes_total", kind="full", outcome="failed") == failed + 1
