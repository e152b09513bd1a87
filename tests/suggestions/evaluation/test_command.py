"""``manage.py evaluate_suggestions`` end to end on small generated files, and on the real data."""

import io
import re
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from suggestions.evaluation import tuned
from suggestions.evaluation.readers import read_interactions
from suggestions.evaluation.runner import LABELS, evaluate

ONLINE_RETAIL = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "online_retail.csv.gz"


def shop_history(path: Path, *, customers: int = 80, seed: int = 0) -> Path:
    """A generic CSV: each customer has a taste (one of four groups of products) and a staple she
    rebuys, over four to six orders."""
    rng = np.random.default_rng(seed)
    lines = ["customer_id,order_id,product_id,ordered_at,quantity,store_id,category"]
    for customer in range(customers):
        taste = customer % 4
        staple = f"staple-{customer % 3}"
        for order in range(int(rng.integers(4, 7))):
            day = date(2026, 3, 1) + timedelta(days=order * 7 + customer % 5)
            picks = {staple} | {f"p{taste}-{int(n)}" for n in rng.integers(0, 6, 3)}
            for product in sorted(picks):
                category = "pharmacy" if product.startswith("staple-2") else f"group{product[1]}"
                lines.append(f"c{customer},o{customer}-{order},{product},{day.isoformat()},1,s1,{category}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run(*args: object) -> str:
    out = io.StringIO()
    call_command("evaluate_suggestions", *[str(arg) for arg in args], stdout=out)
    return out.getvalue()


def row(output: str, title: str, method: str) -> list[str]:
    """The figures of ``method`` (a key of ``LABELS``) in the table whose title starts with ``title``."""
    label = LABELS[method]
    table = output.split(title, 1)[1].split("\n\n", 1)[0]
    line = next(line for line in table.splitlines() if line.startswith(label))
    return line[len(label) :].split()


def test_the_command_prints_every_method_for_both_halves(tmp_path: Path) -> None:
    path = shop_history(tmp_path / "shop.csv")
    methods = ("popularity", "top_frequency", "item_knn", "tifu_knn", "engine")

    output = run(path, "--methods", *methods, "--no-tune")

    assert "0 malformed rows skipped" in output
    assert re.search(r"80 customers with 3\+ orders \(\d+ tune, \d+ report\)", output)
    for title in ("tune half", "report half", "all evaluated customers"):
        for method in methods:
            figures = row(output, title, method)
            assert len(figures) == 8
            assert 0.0 <= float(figures[0]) <= 1.0
    assert LABELS["als"] not in output
    assert "stored values (suggestions/evaluation/tuned.py)" in output
    assert f"list of ten: {tuned.TIFU_KNN.top.describe()}" in output


def test_the_baselines_are_tuned_on_the_tune_half_and_their_choices_printed(tmp_path: Path) -> None:
    path = shop_history(tmp_path / "shop.csv")

    output = run(path, "--methods", "top_frequency", "tifu_knn", "engine", "--split", "report")

    assert "searched on the tune half: decay in [1.0, 0.95" in output
    assert re.search(r"TIFU-KNN:\n  searched on the tune half: published \(m, r_b, r_g\)", output)
    assert re.search(r"list of ten: decay [\d.]+ per order \(tune R@10 [01]\.\d{4}\)", output)
    assert re.search(r"new-item list: k \d+, m \d+, .* \(tune new-item R@10 [01]\.\d{4}\)", output)
    assert len(row(output, "report half", "tifu_knn")) == 8


def test_the_engine_suggests_no_sensitive_item_where_baselines_do(tmp_path: Path) -> None:
    path = shop_history(tmp_path / "shop.csv")
    listing = tmp_path / "sensitive.txt"
    listing.write_text("Pharmacy\n", encoding="utf-8")

    output = run(
        path,
        "--methods",
        "top_frequency",
        "engine",
        "--sensitive-categories",
        listing,
        "--split",
        "report",
        "--no-tune",
    )

    assert "1 of them sensitive" in output
    assert int(row(output, "report half", "top_frequency")[-1]) > 0
    assert int(row(output, "report half", "engine")[-1]) == 0
    assert "tune half" not in output


def test_the_command_runs_implicit_als_too(tmp_path: Path) -> None:
    pytest.importorskip("implicit", reason="ALS is a dev extra")
    path = shop_history(tmp_path / "shop.csv", customers=12)

    output = run(path, "--methods", "als", "engine", "--split", "all", "--threads", "1", "--no-tune")

    figures = row(output, "all evaluated customers", "als")
    assert 0.0 <= float(figures[0]) <= 1.0  # R@10


def test_malformed_rows_are_reported_and_skipped_or_with_strict_refused(tmp_path: Path) -> None:
    path = shop_history(tmp_path / "shop.csv", customers=12)
    with path.open("a", encoding="utf-8") as handle:
        handle.write("c1,o9,p1,the day after,1,s1,x\n")

    output = run(path, "--methods", "popularity")
    assert "1 malformed rows skipped" in output
    assert "ordered_at 'the day after' is not an ISO 8601 date" in output

    with pytest.raises(CommandError, match=r"shop.csv, line \d+: ordered_at 'the day after'"):
        run(path, "--methods", "popularity", "--strict")


def test_a_file_missing_a_column_stops_the_command_with_the_reason(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("customer_id,product_id,ordered_at\nc1,p1,2026-05-01\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"line 1: missing column\(s\) order_id"):
        run(path)


def test_a_history_without_customers_of_three_orders_has_nothing_to_evaluate(tmp_path: Path) -> None:
    path = tmp_path / "thin.csv"
    path.write_text("customer_id,order_id,product_id,ordered_at\nc1,o1,p1,2026-05-01\n", encoding="utf-8")
    with pytest.raises(CommandError, match="No customer has three or more orders"):
        run(path)


@pytest.mark.skipif(
    not ONLINE_RETAIL.exists(), reason=f"{ONLINE_RETAIL} is absent (a clone without shared data)"
)
def test_on_online_retail_the_engine_beats_every_tuned_baseline_on_the_report_half() -> None:
    # The baselines with their stored values, as tuned on the tune half (the search itself takes
    # minutes: manage.py evaluate_suggestions without --no-tune).
    dataset = read_interactions(ONLINE_RETAIL)
    evaluation = evaluate(dataset, threads=2, tune=False)
    from suggestions.evaluation.metrics import score_lists

    holdout = evaluation.holdout
    report = ~holdout.tune
    scores = {
        run.name: score_lists(run.top, holdout.truth, holdout.seen, rows=report) for run in evaluation.runs
    }
    explore = {
        run.name: score_lists(run.explore, holdout.truth, holdout.seen, rows=report).new_recall
        for run in evaluation.runs
    }
    engine = scores.pop("engine")
    discover = explore.pop("engine")
    for name, baseline in scores.items():
        assert engine.recall > baseline.recall, name
        assert engine.ndcg > baseline.ndcg, name
        assert discover > explore[name], name
