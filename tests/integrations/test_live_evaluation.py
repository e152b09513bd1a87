"""The live evaluation end to end: a small shop's history through the real import, consent service
and refresh in the test database, its stored lists scored beside the offline engine; and the
command, which does the same in a scratch database of its own."""

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from django.core.management import call_command
from django.db import connection

from consent.models import ConsentState, Method, PurposeCode
from customers.models import Customer
from integrations.live_evaluation import evaluate_live
from sales.models import Order, OrderLine
from suggestions.evaluation.metrics import score_lists
from suggestions.evaluation.readers import Dataset, read_interactions
from suggestions.evaluation.runner import LABELS, evaluate
from suggestions.models import Suggestion, SuggestionRun


def shop_history(path: Path, *, customers: int = 60, seed: int = 0) -> Path:
    """A generic CSV: each customer has a taste (one of three groups of eight products, each in a
    category of its own) and a staple she rebuys, over four to seven orders at random times."""
    rng = np.random.default_rng(seed)
    lines = ["customer_id,order_id,product_id,ordered_at,quantity,category"]
    start = datetime(2026, 1, 5, 9, tzinfo=UTC)
    for customer in range(customers):
        taste = customer % 3
        day = float(rng.uniform(0, 20))
        for order in range(int(rng.integers(4, 8))):
            day += float(rng.uniform(3, 25))
            when = (start + timedelta(days=day)).isoformat()
            picks = {f"staple{customer % 4}"} | {f"p{taste}-{int(n)}" for n in rng.integers(0, 8, 3)}
            if rng.random() < 0.3:
                picks.add(f"p{(taste + 1) % 3}-{int(rng.integers(0, 8))}")
            for product in sorted(picks):
                category = "pantry" if product.startswith("staple") else f"group{product[1]}-{product[-1]}"
                quantity = int(rng.integers(1, 4))
                lines.append(f"c{customer},{customer}-{order},{product},{when},{quantity},{category}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def dataset(tmp_path: Path) -> Dataset:
    return read_interactions(shop_history(tmp_path / "shop.csv"), "generic", strict=True)


@pytest.mark.django_db
def test_the_training_rows_are_imported_granted_and_refreshed_and_no_held_out_order_is(
    dataset: Dataset, tmp_path: Path
) -> None:
    offline = evaluate(dataset, methods=("engine",), tune=False)
    holdout = offline.holdout

    live = evaluate_live(dataset, holdout, folder=tmp_path)

    train = holdout.train
    assert live.training_rows == OrderLine.objects.count() == len(train.customer)
    assert Order.objects.count() == len(np.unique(train.basket)) == live.imported.orders_created
    held = set(np.unique(dataset.interactions.basket)) - set(np.unique(train.basket))
    assert len(held) == len(holdout.customers) == 60
    assert not Order.objects.filter(external_id__in=[f"o{basket}" for basket in held]).exists()
    assert live.imported.rejected == 0
    assert live.granted == Customer.objects.count() == 60
    assert (
        ConsentState.objects.filter(
            purpose_id=PurposeCode.SUGGESTIONS, granted=True, event__method=Method.IMPORT
        )
        .values("customer")
        .distinct()
        .count()
        == 60
    )
    assert live.refresh.status == SuggestionRun.Status.DONE
    assert live.refresh.customers == 60
    assert live.suggestion_rows == Suggestion.objects.count() > 0
    assert 0 <= live.lag_minutes < 5
    assert set(live.seconds) == {"write", "import", "grant", "refresh", "read back"}


@pytest.mark.django_db
def test_her_live_ten_hold_at_most_her_two_stored_lists(dataset: Dataset, tmp_path: Path, settings) -> None:
    settings.SUGGESTIONS_PER_LIST = 2
    holdout = evaluate(dataset, methods=("engine",), tune=False).holdout

    live = evaluate_live(dataset, holdout, folder=tmp_path, replenishable=True)

    shown = (live.run.top >= 0).sum(axis=1)
    assert shown.max() == 4
    assert (live.run.explore >= 0).sum(axis=1).max() == 2
    assert (live.run.explore[:, 2:] == -1).all()


@pytest.mark.django_db
def test_under_the_offline_assumptions_the_live_lists_score_as_the_offline_engine(
    dataset: Dataset, tmp_path: Path, settings
) -> None:
    """Lists of ten and no cap that binds, as the offline evaluation has them; what is bought again
    learnt on both sides. The lists the refresh stores are then the engine's in memory."""
    settings.SUGGESTIONS_PER_LIST = 10
    settings.SUGGESTIONS_MIN_PER_LIST = 10  # two lists of ten, each ranked on its own
    settings.SUGGESTIONS_MAX_PER_CATEGORY = 10
    offline = evaluate(dataset, methods=("engine",), tune=False)
    holdout = offline.holdout

    live = evaluate_live(dataset, holdout, folder=tmp_path)

    assert live.run.top.tolist() == offline.runs[0].top.tolist()
    assert live.run.explore.tolist() == offline.runs[0].explore.tolist()
    served = score_lists(live.run.top, holdout.truth, holdout.seen)
    assert served.recall > 0.5
    assert served.repeat_recall > 0.5


def databases() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT datname FROM pg_database")
        return {name for (name,) in cursor.fetchall()}


@pytest.mark.django_db(transaction=True)
def test_the_command_prints_live_beside_offline_and_leaves_no_database_behind(tmp_path: Path) -> None:
    path = shop_history(tmp_path / "shop.csv")
    out = io.StringIO()

    call_command("evaluate_suggestions_live", str(path), "--no-tune", "--split", "report", stdout=out)

    output = out.getvalue()
    assert "60 customers with 3+ orders" in output
    scratch = output.split("live: scratch database ", 1)[1].split(",", 1)[0]
    assert scratch.startswith(f"{connection.settings_dict['NAME']}_evaluation_"[:40])
    assert ", dropped in " in output
    assert scratch not in databases()
    assert "  grant: 60 customers granted suggestions" in output
    table = output.split("report half", 1)[1]
    for method in ("engine", "live"):
        line = next(line for line in table.splitlines() if line.startswith(LABELS[method]))
        assert 0.0 < float(line[len(LABELS[method]) :].split()[0]) <= 1.0
    assert "live / offline engine: R@10 " in table
    assert not Customer.objects.exists()  # the test's own database was never written to
