"""The live evaluation's suggestions side: the training rows written as a sales file, and the card's
two stored lists read back as her ten."""

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from django.utils import timezone

from customers.models import CustomerIdentifier
from suggestions.evaluation.live import (
    against_offline,
    served_lists,
    write_replenishable_products,
    write_training_rows,
)
from suggestions.evaluation.protocol import last_order_holdout
from suggestions.evaluation.readers import SECONDS_PER_DAY, Dataset, read_interactions
from suggestions.evaluation.runner import Evaluation, MethodRun
from suggestions.models import Suggestion, SuggestionList
from tests.factories import CustomerFactory, ProductFactory

HISTORY = """customer_id,order_id,product_id,ordered_at,quantity,store_id,category
ann,1,tea,2026-01-05T09:30:00+00:00,2,,Drinks
ann,1,mug,2026-01-05T09:30:00+00:00,1,,Kitchen
ann,2,tea,2026-02-05T10:00:00+00:00,1,,Drinks
ann,3,tea,2026-03-05T10:15:00+00:00,1,,Drinks
ann,3,pot,2026-03-05T10:15:00+00:00,1,,Kitchen
bob,1,mug,2026-01-07,1,,Kitchen
bob,2,pot,2026-02-07,3,,Kitchen
bob,3,tea,2026-03-01,1,,Drinks
bob,3,jam,2026-03-01,1,,
cy,1,tea,2026-02-10,1,,Drinks
cy,2,jam,2026-03-10,1,,
"""


def history(tmp_path: Path) -> Dataset:
    path = tmp_path / "history.csv"
    path.write_text(HISTORY, encoding="utf-8")
    return read_interactions(path)


def rows_of(
    dataset: Dataset, interactions: object, *, shift: float = 0.0
) -> set[tuple[str, str, str, float]]:
    """(customer, product, product's category, time in days) of every row, the times ``shift`` earlier."""
    return {
        (
            str(dataset.customer_ids[c]),
            str(dataset.product_ids[i]),
            dataset.category_names[dataset.catalogue.category[i]],
            round(float(day) - shift, 6),
        )
        for c, i, day in zip(interactions.customer, interactions.item, interactions.day, strict=True)  # type: ignore[attr-defined]
    }


def test_the_training_file_holds_every_training_row_and_no_held_out_one_times_moved(tmp_path: Path) -> None:
    dataset = history(tmp_path)
    holdout = last_order_holdout(dataset.interactions, dataset.customer_ids)
    path = tmp_path / "training.csv"

    written = write_training_rows(dataset, holdout, path, shift_days=100.25)
    again = read_interactions(path, "generic", strict=True)

    assert written == len(holdout.train.customer) == 7  # ann's and bob's last orders held out
    assert rows_of(again, again.interactions, shift=100.25) == rows_of(dataset, holdout.train)
    assert ("ann", "pot", "Kitchen") not in {row[:3] for row in rows_of(again, again.interactions)}
    # One order of hers in the file is one order here, and her quantities are whole numbers.
    assert len(np.unique(again.interactions.basket)) == len(np.unique(holdout.train.basket)) == 6
    assert sorted(again.interactions.quantity.tolist()) == sorted(holdout.train.quantity.tolist())
    latest = datetime.fromtimestamp((holdout.train.day.max() + 100.25) * SECONDS_PER_DAY, UTC)
    assert latest.isoformat() in path.read_text(encoding="utf-8")


def test_a_product_without_a_category_is_written_without_one(tmp_path: Path) -> None:
    dataset = history(tmp_path)
    holdout = last_order_holdout(dataset.interactions, dataset.customer_ids)
    path = tmp_path / "training.csv"

    write_training_rows(dataset, holdout, path, shift_days=0.0)

    jam = [line for line in path.read_text(encoding="utf-8").splitlines() if ",jam," in line]
    assert jam
    assert all(line.endswith(",") for line in jam)  # not "(none)", which would become a category


def test_the_products_file_marks_every_trained_product_replenishable(tmp_path: Path) -> None:
    dataset = history(tmp_path)
    holdout = last_order_holdout(dataset.interactions, dataset.customer_ids)
    path = tmp_path / "products.csv"

    assert write_replenishable_products(dataset, holdout, path) == 4

    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines == [
        "product_id,name,replenishable",
        "jam,jam,true",
        "mug,mug,true",
        "pot,pot,true",
        "tea,tea,true",
    ]


def suggest(customer: object, product: object, which: str, rank: int, score: float) -> Suggestion:
    return Suggestion.objects.create(
        customer=customer,
        product=product,
        list=which,
        rank=rank,
        score=score,
        reason="popular",
        model_version="test",
        created_at=timezone.now(),
    )


@pytest.mark.django_db
def test_her_ten_are_her_two_stored_lists_merged_by_score_and_her_new_list_is_discover(
    tmp_path: Path,
) -> None:
    dataset = history(tmp_path)
    holdout = last_order_holdout(dataset.interactions, dataset.customer_ids)
    assert [str(code) for code in dataset.customer_ids[holdout.customers]] == ["ann", "bob"]
    ann, bob, stranger = CustomerFactory(), CustomerFactory(), CustomerFactory()
    for customer, code in ((ann, "ann"), (bob, "bob")):
        customer.identifiers.create(kind=CustomerIdentifier.Kind.EXTERNAL, namespace="evaluation", value=code)
    stranger.identifiers.create(kind=CustomerIdentifier.Kind.EXTERNAL, namespace="pos", value="ann")
    tea, mug, pot, jam = (ProductFactory(sku=sku) for sku in ("tea", "mug", "pot", "jam"))
    suggest(ann, tea, SuggestionList.BUY_AGAIN, 1, 0.9)
    suggest(ann, mug, SuggestionList.BUY_AGAIN, 2, 0.2)
    suggest(ann, jam, SuggestionList.DISCOVER, 1, 0.5)
    suggest(ann, pot, SuggestionList.DISCOVER, 2, 0.2)  # ties with mug: Buy again comes first
    suggest(stranger, pot, SuggestionList.DISCOVER, 1, 0.9)  # another system's "ann": not hers
    item = {str(code): n for n, code in enumerate(dataset.product_ids)}

    served = served_lists(dataset, holdout, namespace="evaluation", k=3)

    assert served.top.tolist() == [[item["tea"], item["jam"], item["mug"]], [-1, -1, -1]]
    assert served.discover.tolist() == [[item["jam"], item["pot"], -1], [-1, -1, -1]]
    assert served.rows == 4
    assert sorted(served.items.tolist()) == sorted(item[sku] for sku in ("tea", "mug", "jam", "pot"))


def test_live_beside_offline_says_the_change_and_whether_the_headline_is_within_ten_per_cent(
    tmp_path: Path,
) -> None:
    dataset = history(tmp_path)
    holdout = last_order_holdout(dataset.interactions, dataset.customer_ids)
    item = {str(code): n for n, code in enumerate(dataset.product_ids)}
    # ann's last order: tea and pot; bob's: tea and jam.
    offline = np.array([[item["tea"], item["pot"]], [item["tea"], item["jam"]]], dtype=np.int32)
    halved = np.array([[item["tea"], -1], [item["tea"], -1]], dtype=np.int32)
    evaluation = Evaluation(
        dataset=dataset,
        holdout=holdout,
        runs=[MethodRun("engine", offline, offline, 1.0, 0), MethodRun("live", offline, offline, 1.0, 0)],
        threads="1",
    )
    everyone = np.ones(2, dtype=bool)

    same = against_offline(evaluation, everyone)
    worse = against_offline(
        replace(evaluation, runs=[evaluation.runs[0], MethodRun("live", halved, halved, 1, 0)]), everyone
    )

    assert same.startswith("live / offline engine: R@10 1.000 / 1.000 (+0%)")
    assert same.endswith("R@10 and NDCG@10 within 10%")
    assert "R@10 0.500 / 1.000 (-50%)" in worse
    assert worse.endswith("R@10 and NDCG@10 not within 10%")
