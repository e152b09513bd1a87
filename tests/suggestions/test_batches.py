"""A batch of a full run on a worker process that did not fit the run: the model read once per
process, each batch's order lines with one set-based query for its own slice, and nothing else that
grows with the run; the process that fitted reads no lines at all."""

from datetime import timedelta

import numpy as np
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from suggestions import order_lines, refresh, stored
from suggestions.models import Suggestion, SuggestionBatch
from tests.suggestions.conftest import buy

pytestmark = pytest.mark.django_db


def reading_the_model(queries: list[dict]) -> list[str]:
    return [q["sql"] for q in queries if '"suggestions_suggestionrun"."model"' in q["sql"]]


def reading_lines(queries: list[dict]) -> list[str]:
    return [q["sql"] for q in queries if "sales_orderline" in q["sql"]]


@pytest.fixture
def batches(crowd, zoe, settings) -> list[SuggestionBatch]:
    settings.SUGGESTIONS_BATCH_SIZE = 10
    run = refresh.start_full_run()  # 41 customers: 5 batches
    return list(run.batches.order_by("number"))


@pytest.fixture
def another_process(monkeypatch) -> None:
    """This process as a worker that did not fit the run: it holds no model, lines or catalogue."""
    monkeypatch.setattr(stored, "_loaded", {})
    monkeypatch.setattr(stored, "_held", {})
    monkeypatch.setattr(stored, "_catalogue", [])


def test_a_worker_that_did_not_fit_reads_the_model_once_and_each_batch_its_own_slice(
    batches, another_process
):
    first, second, third = batches[:3]
    with CaptureQueriesContext(connection) as at_first:
        refresh.compute_batch(first.pk)
    with CaptureQueriesContext(connection) as at_second:
        refresh.compute_batch(second.pk)
    with CaptureQueriesContext(connection) as at_third:
        refresh.compute_batch(third.pk)

    assert len(reading_the_model(at_first.captured_queries)) == 1
    assert reading_the_model(at_second.captured_queries) == reading_the_model(at_third.captured_queries) == []
    for batch, queries in ((second, at_second), (third, at_third)):
        (lines,) = reading_lines(queries.captured_queries)  # one query, for its own customers
        ids = Suggestion.objects.filter(
            customer_id__gte=batch.first_customer_id, customer_id__lte=batch.last_customer_id
        ).values_list("customer_id", flat=True)
        assert f"BETWEEN {min(ids)} AND {max(ids)}" in lines
    # Besides the model, the first batch read the catalogue (its products, what the retailer said of
    # replenishment, its stock). Then every
    # batch costs the same 22: its row, its consenting customers, their lines, seven reads of what
    # they told us (preferences, likes, likes elsewhere ×2, dismissals, home stores, sizes), and the
    # swap: lock its row, lock their consent, other runs, delete, COPY, two counters, finishing
    # check, and the savepoints of a test's transaction.
    assert len(at_first.captured_queries) == len(at_second.captured_queries) + 4
    assert len(at_second.captured_queries) == len(at_third.captured_queries) == 22


def test_the_process_that_fitted_reads_no_order_lines_for_its_batches(crowd, zoe, settings, monkeypatch):
    # Everything here was ordered moments ago, within the margin read again after the fit's read:
    # treat the lines as read later, as in test_held_lines.
    monkeypatch.setattr(order_lines, "HELD_MARGIN", timedelta(minutes=-1))
    settings.SUGGESTIONS_BATCH_SIZE = 10
    batches = list(refresh.start_full_run().batches.order_by("number"))

    with CaptureQueriesContext(connection) as queries:
        for batch in batches:
            refresh.compute_batch(batch.pk)

    assert reading_lines(queries.captured_queries) == []
    assert reading_the_model(queries.captured_queries) == []


def stored_lists() -> list[tuple]:
    return sorted(Suggestion.objects.values_list("customer_id", "list", "rank", "product_id", "reason"))


@pytest.mark.django_db(transaction=True)
def test_a_refresh_in_one_process_that_reads_ahead_on_its_own_connection_writes_what_batch_by_batch_writes(
    crowd, zoe, settings
):
    settings.SUGGESTIONS_BATCH_SIZE = 9
    first = refresh.current_full_run()
    for batch_id in refresh.pending_batches(first):  # as workers do, one batch after the other
        refresh.compute_batch(batch_id)
    one_by_one = stored_lists()

    second = refresh.run_full_refresh()  # outside a transaction: the next batch read on a second connection

    assert second.pk != first.pk
    assert (second.status, second.done_batches, second.total_batches) == ("done", 5, 5)
    assert stored_lists() == one_by_one
    assert set(Suggestion.objects.values_list("run_id", flat=True)) == {second.pk}


@pytest.mark.django_db(transaction=True)
def test_the_population_read_in_slices_on_two_connections_is_the_one_read_in_one_piece(
    crowd, zoe, store, shop, monkeypatch
):
    buy(None, store, shop["blazer"], shop["trousers"])  # a guest's order counts too
    whole = order_lines.population_lines()
    monkeypatch.setattr(order_lines, "ORDER_ID_SLICE", 7)  # a dozen slices, read two at a time

    sliced = order_lines.population_lines()

    for field in ("customer_id", "product_id", "basket", "day", "quantity"):
        assert getattr(sliced, field).tolist() == getattr(whole, field).tolist()
    assert (whole.customer_id < 0).sum() == 2  # the guest's two lines, first
    assert (np.diff(whole.customer_id) >= 0).all()
