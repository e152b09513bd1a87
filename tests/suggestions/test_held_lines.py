"""A full run reads every consenting customer's lines once, for its fit, and its batches slice them:
the same lines as reading each batch from PostgreSQL, also for whoever ordered or opted in since."""

from datetime import timedelta

import numpy as np
import pytest
from django.utils import timezone

from identity.merging import merge_customers
from sales.models import Order
from suggestions import data, order_lines, refresh, stored
from suggestions.models import Suggestion
from tests.factories import CustomerFactory
from tests.suggestions.conftest import SUGGESTIONS, buy

pytestmark = pytest.mark.django_db


def rows(lines: order_lines.Lines) -> list[tuple]:
    return sorted(
        zip(
            lines.customer_id.tolist(),
            lines.product_id.tolist(),
            lines.basket.tolist(),
            lines.day.tolist(),
            lines.quantity.tolist(),
            strict=True,
        )
    )


def held_as_of(moment) -> order_lines.HeldLines:
    return order_lines.HeldLines.of(order_lines.population_lines(), moment)


# Rows made in a test are stamped now, and what was stamped within ``HELD_MARGIN`` of the read is read
# again; so the held path is tested as if the lines were read a little after everything was written.
LATER = order_lines.HELD_MARGIN + timedelta(minutes=1)


def test_held_lines_sliced_for_a_batch_are_what_postgresql_gives_for_it(crowd, zoe, store, shop):
    buy(None, store, shop["blazer"], shop["trousers"])  # a guest: counted by the fit, nobody's list
    held = held_as_of(timezone.now() + LATER)
    ids = data.consenting_customer_ids()
    assert (held.lines.customer_id > 0).all()
    assert (
        order_lines.changed_since_read(held.read_at - order_lines.HELD_MARGIN, ids).size == 0
    )  # the held path

    for batch in (ids, ids[:7], ids[7:19], ids[[0, 5, -1]], ids[:0]):
        assert rows(order_lines.lines_of(batch, held=held)) == rows(order_lines.lines_of(batch))
    assert zoe.pk in order_lines.lines_of(ids, held=held).customer_id


def test_an_order_placed_after_the_read_is_read_again_for_her(crowd, zoe, store, shop):
    read_at = timezone.now() + LATER
    held = held_as_of(read_at)
    order = buy(zoe, store, shop["trousers"], days_ago=0)
    Order.objects.filter(pk=order.pk).update(created_at=read_at + timedelta(seconds=1))
    ids = data.consenting_customer_ids()

    lines = order_lines.lines_of(ids, held=held)

    assert rows(lines) == rows(order_lines.lines_of(ids))
    assert shop["trousers"].pk in lines.product_id[lines.customer_id == zoe.pk]
    assert shop["trousers"].pk not in held.slice(ids).product_id[held.slice(ids).customer_id == zoe.pk]


def test_someone_who_opted_in_after_the_read_has_her_history_read(crowd, store, shop, grant):
    late = CustomerFactory(home_store=store)
    buy(late, store, shop["blazer"], days_ago=30)
    Order.objects.filter(customer=late).update(created_at=timezone.now() - timedelta(days=1))
    held = held_as_of(timezone.now())  # she has not opted in yet: none of her lines are read
    assert late.pk not in held.lines.customer_id
    grant(late, SUGGESTIONS, store=store)
    ids = data.consenting_customer_ids()
    assert late.pk in order_lines.changed_since_read(
        held.read_at - order_lines.HELD_MARGIN, ids
    )  # by her grant

    lines = order_lines.lines_of(ids, held=held)

    assert shop["blazer"].pk in lines.product_id[lines.customer_id == late.pk]
    assert rows(lines) == rows(order_lines.lines_of(ids))


def test_a_run_computed_from_held_lines_writes_what_one_reading_per_batch_writes(
    crowd, zoe, settings, monkeypatch
):
    settings.SUGGESTIONS_BATCH_SIZE = 9
    monkeypatch.setattr(order_lines, "HELD_MARGIN", -LATER + order_lines.HELD_MARGIN)  # "later", as above
    run = refresh.start_full_run()
    held = stored.held_lines_of(run)
    assert held is not None  # the process that fitted keeps them, and its batches use them
    assert (
        order_lines.changed_since_read(
            held.read_at - order_lines.HELD_MARGIN, data.consenting_customer_ids()
        ).size
        == 0
    )
    refresh.run_full_refresh()
    assert stored.held_lines_of(run) is None  # and lets them go when the run is done
    held_rows = sorted(Suggestion.objects.values_list("customer_id", "list", "rank", "product_id", "reason"))

    second = refresh.start_full_run()
    stored.forget_lines(second)  # as a worker that did not fit: every batch reads PostgreSQL
    refresh.run_full_refresh()
    read_rows = sorted(Suggestion.objects.values_list("customer_id", "list", "rank", "product_id", "reason"))

    assert held_rows == read_rows
    assert len(np.unique([r[0] for r in held_rows])) == 41


def test_a_merge_after_the_read_has_the_survivors_history_read_again(crowd, zoe, store, shop):
    twin = CustomerFactory(home_store=store, source="sales")
    buy(twin, store, shop["trousers"], days_ago=20)
    Order.objects.filter(customer=twin).update(created_at=timezone.now() - timedelta(days=1))
    held = held_as_of(timezone.now())  # the twin does not consent: none of her lines are held
    merge_customers(survivor=zoe, merged=twin, kind="manual", reason="same person")
    ids = data.consenting_customer_ids()
    assert zoe.pk in order_lines.changed_since_read(held.read_at - order_lines.HELD_MARGIN, ids)

    lines = order_lines.lines_of(ids, held=held)

    assert shop["trousers"].pk in lines.product_id[lines.customer_id == zoe.pk]
    assert rows(lines) == rows(order_lines.lines_of(ids))
