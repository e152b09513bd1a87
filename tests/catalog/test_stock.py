"""Stock levels: ``set_stock`` says how many there were before, in the statement that writes them,
also when two requests set the same variant at once."""

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, transaction

from catalog.models import StockLevel
from catalog.services import StockSet, set_stock
from tests.factories import VariantFactory

pytestmark = pytest.mark.django_db


def test_each_write_says_what_it_did_and_how_many_there_were(store):
    variant = VariantFactory()

    steps = [set_stock(store=store, variant=variant, quantity=quantity) for quantity in (0, 2, 2, 5, 0)]

    assert [(s.status, s.before, s.level.quantity, s.back_in_stock) for s in steps] == [
        ("created", 0, 0, False),
        ("updated", 0, 2, True),
        ("unchanged", 2, 2, False),
        ("updated", 2, 5, False),
        ("updated", 5, 0, False),
    ]
    row = StockLevel.objects.get()
    assert (steps[-1].level.pk, steps[-1].level.updated_at, row.quantity) == (row.pk, row.updated_at, 0)


def test_some_where_the_store_never_had_any_is_back_in_stock(store):
    stock = set_stock(store=store, variant=VariantFactory(), quantity=4)

    assert (stock.status, stock.before, stock.back_in_stock) == ("created", 0, True)


def test_an_unchanged_level_keeps_when_it_last_changed(store):
    variant = VariantFactory()
    first = set_stock(store=store, variant=variant, quantity=3)

    again = set_stock(store=store, variant=variant, quantity=3)

    assert again.level.updated_at == first.level.updated_at == StockLevel.objects.get().updated_at


def _in_thread(results: dict[str, Any], name: str, work: Callable[[], Any]) -> threading.Thread:
    def run() -> None:
        try:
            results[name] = work()
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def _wait_until_a_statement_waits_for_a_lock() -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
        time.sleep(0.02)
    raise AssertionError("The second update never waited for the first.")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("row_exists", [True, False], ids=["updating the row", "creating it"])
def test_two_updates_at_once_each_see_what_the_other_left(store, row_exists):
    variant = VariantFactory()
    if row_exists:
        set_stock(store=store, variant=variant, quantity=0)
    holding, may_commit = threading.Event(), threading.Event()
    results: dict[str, StockSet] = {}

    def first() -> StockSet:
        with transaction.atomic():
            stock = set_stock(store=store, variant=variant, quantity=5)
            holding.set()
            may_commit.wait(10)
        return stock

    one = _in_thread(results, "first", first)
    assert holding.wait(10)
    other = _in_thread(results, "second", lambda: set_stock(store=store, variant=variant, quantity=3))
    _wait_until_a_statement_waits_for_a_lock()
    may_commit.set()
    one.join(10)
    other.join(10)

    assert (results["first"].before, results["first"].back_in_stock) == (0, True)
    assert (results["second"].status, results["second"].before, results["second"].back_in_stock) == (
        "updated",
        5,
        False,
    )
    assert StockLevel.objects.get().quantity == 3
