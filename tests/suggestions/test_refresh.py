"""The refresh through PostgreSQL: who gets suggestions, swapping them in, resuming, consent, feedback."""

import itertools
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import numpy as np
import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from audit.models import AuditEvent
from consent.models import ConsentState, PurposeCode
from suggestions import data, incremental, refresh, stored
from suggestions.models import Feedback, Suggestion, SuggestionBatch, SuggestionRun
from suggestions.replace import replace_suggestions
from suggestions.selectors import card_suggestions, outcomes
from suggestions.services import NotSuggested, record_feedback
from tests.factories import CustomerFactory, OrderFactory, OrderLineFactory
from tests.suggestions.conftest import SUGGESTIONS, buy

pytestmark = pytest.mark.django_db


def rows_of(customer):
    return list(Suggestion.objects.filter(customer=customer).order_by("list", "rank"))


def test_a_full_refresh_gives_consenting_customers_both_lists_and_nobody_else_anything(
    crowd, zoe, shop, store, grant
):
    silent = CustomerFactory(home_store=store)
    grant(silent, [PurposeCode.PROFILE], store=store)  # seen by staff, but no suggestions asked for
    buy(silent, store, shop["blazer"])

    run = refresh.run_full_refresh()

    assert run.status == SuggestionRun.Status.DONE
    assert run.customers == 41
    mine = rows_of(zoe)
    assert {r.list for r in mine} == {"buy_again", "discover"}
    buy_again = [r.product for r in mine if r.list == "buy_again"]
    discover = [r.product for r in mine if r.list == "discover"]
    assert shop["serum"] in buy_again  # replenishable, bought twice
    assert shop["blazer"] not in buy_again  # not replenishable
    assert shop["trousers"] in discover  # bought with blazers by everyone else
    assert not Suggestion.objects.filter(customer=silent).exists()
    assert {r.model_version for r in mine} == {run.model_version}


def test_nothing_sensitive_is_ever_stored_nor_named_as_the_reason(crowd, zoe, shop):
    refresh.run_full_refresh()

    sensitive = [shop["pills"].pk, shop["test"].pk]
    assert not Suggestion.objects.filter(product_id__in=sensitive).exists()
    assert not Suggestion.objects.filter(anchor_product_id__in=sensitive).exists()


def test_the_card_explains_each_suggestion_in_words(crowd, zoe, shop):
    refresh.run_full_refresh()

    lists = card_suggestions(zoe, purposes=list(SUGGESTIONS))

    sentences = {s.product.name: s.sentence for s in [*lists.buy_again, *lists.discover]}
    assert sentences["Night serum"].startswith("You have bought this twice, most recently ")
    assert "Pleated trousers" in sentences
    assert sentences["Pleated trousers"].startswith("Goes with the linen blazer you bought ")


def test_refreshing_again_replaces_the_set_instead_of_adding_to_it(crowd, zoe):
    first = refresh.run_full_refresh()
    before = [(r.list, r.rank, r.product_id) for r in rows_of(zoe)]

    second = refresh.run_full_refresh()

    after = rows_of(zoe)
    assert second.pk != first.pk
    assert [(r.list, r.rank, r.product_id) for r in after] == before
    assert {r.run_id for r in after} == {second.pk}
    ranks = [(r.customer_id, r.list, r.rank) for r in Suggestion.objects.all()]
    assert len(ranks) == len(set(ranks))


def test_a_run_is_split_into_batches_each_done_once_and_an_unfinished_run_is_resumed(crowd, zoe, settings):
    settings.SUGGESTIONS_BATCH_SIZE = 10
    run = refresh.start_full_run()
    assert run.total_batches == 5  # 41 customers
    first = run.batches.get(number=0)
    assert refresh.compute_batch(first.pk) > 0
    assert refresh.compute_batch(first.pk) == 0  # delivered twice: done once

    resumed = refresh.run_full_refresh()

    assert resumed.pk == run.pk
    assert SuggestionRun.objects.count() == 1
    assert resumed.status == SuggestionRun.Status.DONE
    assert resumed.done_batches == 5
    assert not SuggestionBatch.objects.filter(done_at__isnull=True).exists()
    covered = Suggestion.objects.values_list("customer_id", flat=True).distinct().count()
    assert covered == 41


def test_batches_cover_every_id_so_stale_rows_of_someone_who_no_longer_consents_go(
    crowd, zoe, shop, store, settings
):
    settings.SUGGESTIONS_BATCH_SIZE = 7
    first = refresh.run_full_refresh()
    lapsed = CustomerFactory(home_store=store)  # e.g. restored from a backup without her consent
    Suggestion.objects.create(
        customer=lapsed,
        product=shop["shirt"],
        list="discover",
        rank=1,
        score=1.0,
        reason="popular",
        model_version="old",
        run=first,
        created_at=timezone.now(),
    )

    run = refresh.run_full_refresh()

    spans = list(run.batches.order_by("number").values_list("first_customer_id", "last_customer_id"))
    assert spans[0][0] == 0
    assert spans[-1][1] >= 2**62
    for (_, end), (start, _) in itertools.pairwise(spans):
        assert start == end + 1
    assert not Suggestion.objects.filter(customer=lapsed).exists()


def test_withdrawing_the_purpose_deletes_her_suggestions_at_once_and_the_next_run_skips_her(
    crowd, zoe, withdraw
):
    refresh.run_full_refresh()
    assert rows_of(zoe)

    withdraw(zoe, [PurposeCode.SUGGESTIONS])

    assert rows_of(zoe) == []
    assert card_suggestions(zoe, purposes=[PurposeCode.PROFILE]) is None
    refresh.run_full_refresh()
    assert rows_of(zoe) == []


def test_withdrawing_another_purpose_keeps_her_suggestions(crowd, zoe, withdraw):
    refresh.run_full_refresh()
    count = len(rows_of(zoe))

    withdraw(zoe, [PurposeCode.CONTACT_EMAIL])

    assert len(rows_of(zoe)) == count


def test_an_incremental_refresh_picks_up_a_customer_who_just_asked_for_suggestions(crowd, shop, store, grant):
    refresh.run_full_refresh()
    newcomer = CustomerFactory(home_store=store)
    buy(newcomer, store, shop["blazer"], days_ago=3)
    grant(newcomer, SUGGESTIONS, store=store)

    run = incremental.run_incremental_refresh()

    assert run.kind == SuggestionRun.Kind.INCREMENTAL
    assert run.status == SuggestionRun.Status.DONE
    # Changes are looked for from a margin before the last refresh: everyone made in this test counts.
    assert run.customers >= 1
    assert shop["trousers"].pk in [r.product_id for r in rows_of(newcomer)]


def test_a_dismissed_product_leaves_the_card_at_once_and_is_not_suggested_again(
    crowd, zoe, shop, associate, store
):
    refresh.run_full_refresh()

    record_feedback(by=associate, customer=zoe, product_id=shop["trousers"].pk, kind="dismissed", store=store)

    shown = card_suggestions(zoe, purposes=list(SUGGESTIONS))
    assert shop["trousers"] not in [s.product for s in shown.discover]
    incremental.run_incremental_refresh()
    assert shop["trousers"].pk not in [r.product_id for r in rows_of(zoe)]
    event = AuditEvent.objects.get(action="suggestion.dismissed")
    assert event.detail == {"product_id": shop["trousers"].pk, "list": "discover", "reason": "goes_with"}


def test_feedback_on_a_product_she_was_not_suggested_is_refused(zoe, shop, associate, store):
    with pytest.raises(NotSuggested):
        record_feedback(by=associate, customer=zoe, product_id=shop["shirt"].pk, kind="liked", store=store)
    assert not Feedback.objects.exists()


def test_outcomes_count_shown_liked_dismissed_and_purchases_within_the_window(
    crowd, zoe, shop, associate, store, settings
):
    settings.SUGGESTIONS_CONVERSION_DAYS = 30
    refresh.run_full_refresh()
    trousers = shop["trousers"]
    record_feedback(by=associate, customer=zoe, product_id=trousers.pk, kind="shown", store=store)
    record_feedback(by=associate, customer=zoe, product_id=trousers.pk, kind="liked", store=store)
    record_feedback(by=associate, customer=zoe, product_id=shop["serum"].pk, kind="shown", store=store)
    later = OrderFactory(customer=zoe, store=store, placed_at=timezone.now() + timedelta(days=5))
    OrderLineFactory(order=later, product=trousers, amount=Decimal("120.00"))
    too_late = OrderFactory(customer=zoe, store=store, placed_at=timezone.now() + timedelta(days=45))
    OrderLineFactory(order=too_late, product=shop["serum"], amount=Decimal("30.00"))

    today = timezone.localdate()
    result = outcomes(since=today, until=today, store_ids=[store.pk])

    assert (result.shown, result.liked, result.dismissed) == (2, 1, 0)
    assert (result.bought, result.revenue) == (1, Decimal("120.00"))
    assert outcomes(since=today, until=today, store_ids=[store.pk + 1000]).shown == 0


def test_the_model_round_trips_through_the_database_unchanged(crowd):
    model, items, _ = refresh.fit_model(datetime(2026, 11, 1, tzinfo=UTC))

    loaded, loaded_items = stored.load_model(stored.dump_model(model, items))

    assert np.array_equal(loaded_items.product_ids, items.product_ids)
    assert (loaded.similarity != model.similarity).nnz == 0
    assert np.array_equal(loaded.popularity, model.popularity)
    assert loaded.config == model.config
    assert loaded.model_version == model.model_version


def test_the_command_runs_a_full_refresh_and_reports_it(crowd, zoe, capsys):
    call_command("refresh_suggestions")

    out = capsys.readouterr().out
    assert "41 customers" in out
    assert SuggestionRun.objects.get().status == SuggestionRun.Status.DONE


def test_the_beat_schedule_runs_the_full_refresh_nightly_and_the_incremental_one_often(settings):
    full = settings.CELERY_BEAT_SCHEDULE["refresh-suggestions"]
    recent = settings.CELERY_BEAT_SCHEDULE["refresh-recent-suggestions"]
    assert full["task"] == "suggestions.refresh_all"
    assert full["schedule"].hour == {settings.SUGGESTIONS_HOUR}
    assert recent["task"] == "suggestions.refresh_recent"
    assert recent["schedule"].minute == set(range(0, 60, settings.SUGGESTIONS_INCREMENTAL_MINUTES))


def test_erasing_her_deletes_her_suggestions_and_feedback_and_later_runs_skip_her(
    crowd, zoe, shop, associate, store
):
    from privacy.erasure import erase_customer

    refresh.run_full_refresh()
    record_feedback(by=associate, customer=zoe, product_id=shop["trousers"].pk, kind="shown", store=store)

    erase_customer(zoe.pk)
    refresh.run_full_refresh()

    assert rows_of(zoe) == []
    assert not Feedback.objects.filter(customer=zoe).exists()


def test_a_liked_suggestion_counts_as_liking_its_brand_at_the_next_refresh(
    crowd, zoe, shop, associate, store
):
    refresh.run_full_refresh()
    record_feedback(by=associate, customer=zoe, product_id=shop["trousers"].pk, kind="liked", store=store)

    items = data.item_index()
    preferences = data.load_preferences(np.array([zoe.pk]), items, dismiss_days=90)

    customers, brands = preferences.liked_brands
    assert customers.tolist() == [0]
    assert brands.tolist() == [shop["trousers"].brand_id]


def test_she_sees_her_suggestions_in_her_privacy_centre_data(crowd, zoe):
    from privacy.export import subject_data

    refresh.run_full_refresh()

    listed = subject_data(zoe)["suggestions"]
    assert {(s["list"], s["rank"]) for s in listed} == {(r.list, r.rank) for r in rows_of(zoe)}
    assert "Night serum" in [s["product"] for s in listed]


def test_a_last_batch_delivered_again_after_its_commit_still_finishes_the_run(crowd, zoe, settings):
    settings.SUGGESTIONS_BATCH_SIZE = 100
    run = refresh.start_full_run()
    batch = run.batches.get()
    with transaction.atomic():  # as if the worker died between the batch's commit and finishing the run
        SuggestionBatch.objects.filter(pk=batch.pk).update(done_at=timezone.now())
        SuggestionRun.objects.filter(pk=run.pk).update(done_batches=1)

    refresh.compute_batch(batch.pk)

    run.refresh_from_db()
    assert run.status == SuggestionRun.Status.DONE


def test_a_run_left_unfinished_too_long_is_marked_failed_and_a_new_one_starts(crowd, zoe, settings):
    settings.SUGGESTIONS_BATCH_SIZE = 10
    stale = refresh.start_full_run()
    SuggestionRun.objects.filter(pk=stale.pk).update(started_at=timezone.now() - timedelta(days=2))

    run = refresh.run_full_refresh()

    stale.refresh_from_db()
    assert stale.status == SuggestionRun.Status.FAILED
    assert run.pk != stale.pk
    assert run.status == SuggestionRun.Status.DONE


def test_a_dislike_said_today_hides_that_brand_on_the_card_before_the_next_refresh(
    crowd, zoe, shop, associate
):
    from customers.services import set_preference

    refresh.run_full_refresh()
    assert shop["trousers"] in [s.product for s in card_suggestions(zoe, purposes=list(SUGGESTIONS)).discover]

    set_preference(by=associate, customer=zoe, kind="brand", likes=False, brand=shop["trousers"].brand)

    shown = card_suggestions(zoe, purposes=list(SUGGESTIONS))
    assert all(s.product.brand_id != shop["trousers"].brand_id for s in [*shown.buy_again, *shown.discover])
    incremental.run_incremental_refresh()
    assert not Suggestion.objects.filter(customer=zoe, product__brand=shop["trousers"].brand).exists()


def test_feedback_after_she_withdrew_is_refused(crowd, zoe, shop, associate, store):
    refresh.run_full_refresh()
    ConsentState.objects.filter(customer=zoe, purpose_id=PurposeCode.SUGGESTIONS).update(granted=False)

    with pytest.raises(NotSuggested):
        record_feedback(by=associate, customer=zoe, product_id=shop["trousers"].pk, kind="liked", store=store)


def test_a_batch_skips_a_customer_whose_consent_went_while_it_computed(crowd, zoe, settings):
    """The consent check is repeated at write time (simulated: her state flips after the batch read
    the consenting ids, before it writes)."""
    settings.SUGGESTIONS_BATCH_SIZE = 100
    run = refresh.start_full_run()
    ids = data.consenting_customer_ids()
    assert zoe.pk in ids.tolist()
    ConsentState.objects.filter(customer=zoe, purpose_id=PurposeCode.SUGGESTIONS).update(granted=False)

    with transaction.atomic():
        replace_suggestions(run, ids, clear=Q(customer_id__in=ids.tolist()))

    assert rows_of(zoe) == []
    assert Suggestion.objects.filter(customer_id=crowd[0].pk).exists()
