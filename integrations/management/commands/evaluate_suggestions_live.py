"""``manage.py evaluate_suggestions_live PATH``: the offline evaluation, and beside it what the product
serves from the same file.

The offline half is ``manage.py evaluate_suggestions``'s (same file formats, last-order holdout,
tune and report halves, ``--methods``, default: the engine alone). The live half
(``integrations.live_evaluation``) runs in a scratch database of its own on the app's server, made
and migrated for the run and dropped at the end (``--keep`` keeps it and prints its name): the
training rows, held-out last orders left out, go through the real import as a generic sales file
(each product in the category the offline evaluation gives it; times moved so that the history ends
now), every imported customer is granted ``suggestions`` through the consent service, the real full
refresh runs with the settings as they are (``SUGGESTIONS_PER_LIST``, ``SUGGESTIONS_MIN_PER_LIST``,
``SUGGESTIONS_MAX_PER_CATEGORY``, ...), and the rows it stored are scored: her ten are her Buy again
and Discover lists merged by their stored score (the card shows no list of ten), her new-item list
is her Discover list. Printed: the offline methods and the live lists per half, live against the
offline engine, and what each step cost. The developer's own database is never touched.

It lives in ``integrations`` rather than beside ``evaluate_suggestions`` because it drives the
import, a feature, which the suggestions app (the domain) may not import.
"""

import tempfile
import time
from argparse import ArgumentParser
from dataclasses import replace
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from common.scratch_database import exit_cleanly_on_sigterm, scratch_database
from integrations.live_evaluation import LiveEvaluation, evaluate_live
from suggestions.evaluation.live import against_offline
from suggestions.evaluation.readers import MalformedInput, read_interactions
from suggestions.evaluation.runner import (
    METHODS,
    dataset_summary,
    evaluate,
    split_rows,
    table,
    truth_summary,
)


class Command(BaseCommand):
    help = (
        "Evaluate the suggestions the product serves: import the training rows of a purchase history "
        "CSV (last orders held out) into a scratch database, grant, run the real refresh, and score "
        "the stored lists beside the offline engine (and --methods baselines)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("path", type=Path, help="the CSV (plain or .gz)")
        parser.add_argument("--format", choices=("auto", "generic", "online_retail"), default="auto")
        parser.add_argument(
            "--methods",
            nargs="+",
            choices=METHODS,
            default=["engine"],
            help="offline methods beside the live lists (default: the engine; it is always run)",
        )
        parser.add_argument("--split", choices=("tune", "report", "all"), default="all")
        parser.add_argument(
            "--limit-customers", type=int, help="score only N customers (a fixed hash sample)"
        )
        parser.add_argument("--threads", type=int, help="offline: engine workers and ALS threads")
        parser.add_argument(
            "--no-tune", action="store_true", help="offline baselines: the stored hyper-parameters"
        )
        parser.add_argument("--strict", action="store_true", help="stop at the first malformed row")
        parser.add_argument(
            "--replenishable",
            action="store_true",
            help="after the sales, import a products file saying every product is replenishable "
            "(else, as after any import, the engine learns which are bought again, as offline)",
        )
        parser.add_argument(
            "--keep", action="store_true", help="keep the scratch database, and print its name"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["limit_customers"] is not None and options["limit_customers"] < 1:
            raise CommandError("--limit-customers must be at least 1.")
        began = time.perf_counter()
        try:
            dataset = read_interactions(options["path"], options["format"], strict=options["strict"])
        except MalformedInput as problem:
            raise CommandError(str(problem)) from None
        self.stdout.write(dataset_summary(dataset, options["path"]))
        methods = tuple(dict.fromkeys([*options["methods"], "engine"]))
        try:
            evaluation = evaluate(
                dataset,
                methods=methods,
                limit_customers=options["limit_customers"],
                threads=options["threads"],
                tune=not options["no_tune"],
            )
        except ValueError as problem:
            raise CommandError(str(problem)) from None
        self.stdout.write(truth_summary(evaluation.holdout))
        for note in evaluation.notes:
            self.stdout.write(note)
        offline_seconds = time.perf_counter() - began

        exit_cleanly_on_sigterm()
        prefix = f"{connection.settings_dict['NAME']}_evaluation"[:40]
        started = time.perf_counter()
        with (
            tempfile.TemporaryDirectory(prefix="evaluate_live_") as folder,
            scratch_database(prefix, keep=options["keep"], on_kept=self._kept) as database,
        ):
            made = time.perf_counter() - started
            live = evaluate_live(
                dataset, evaluation.holdout, folder=Path(folder), replenishable=options["replenishable"]
            )
            ended = time.perf_counter()
        self.stdout.write(
            f"\nlive: scratch database {database}, made and migrated in {made:.1f} s, "
            f"{'kept' if options['keep'] else 'dropped'} in {time.perf_counter() - ended:.1f} s"
        )
        self.stdout.write(describe(live))

        both = replace(evaluation, runs=[*evaluation.runs, live.run])
        for title, rows in split_rows(evaluation.holdout, options["split"]):
            self.stdout.write("")
            self.stdout.write(table(both, rows, title))
            self.stdout.write(against_offline(both, rows))
        self.stdout.write("")
        self.stdout.write(
            "R@10 and NDCG@10 of the live lists: her Buy again and Discover lists merged by stored score "
            f"({2 * settings.SUGGESTIONS_PER_LIST} places shared as her combined ranking is, at least "
            f"{settings.SUGGESTIONS_MIN_PER_LIST} each; the card has no list of ten); new list: her "
            "Discover list; seconds: the refresh. Offline, the engine ranks ten of both kinds together, "
            "with no category cap (evaluate_suggestions)."
        )
        self.stdout.write(
            f"wall time: {time.perf_counter() - began:.0f} s, of which reading the file and the offline "
            f"evaluation {offline_seconds:.0f} s, the live half {time.perf_counter() - started:.0f} s"
        )

    def _kept(self, name: str) -> None:
        self.stdout.write(f"kept database {name}")


def describe(live: LiveEvaluation) -> str:
    """What the live half did and what each step cost."""
    s, run, phases = live.imported, live.refresh, live.refresh_seconds
    refresh_parts = " / ".join(f"{phases[name]:.1f}" for name in phases)
    return "\n".join(
        [
            f"  write: {live.training_rows:,} training rows as a sales file, times moved "
            f"{live.shift_days:,.1f} days later ({live.seconds['write']:.1f} s)",
            f"  import: {s.orders_created:,} orders with {s.lines_created:,} lines, "
            f"{s.customers_created:,} customers and {s.products_created:,} products created; "
            f"{s.rejected:,} rows rejected"
            + (
                f"; then {live.replenishable_products:,} products marked replenishable"
                if live.replenishable_products is not None
                else "; products as the sales import makes them"
            )
            + f" ({live.seconds['import']:.1f} s)",
            f"  grant: {live.granted:,} customers granted suggestions ({live.seconds['grant']:.1f} s)",
            f"  refresh: {run.customers:,} customers, {run.suggestions:,} rows in {run.total_batches} "
            f"batches ({live.seconds['refresh']:.1f} s; {' / '.join(phases)}: {refresh_parts}); "
            f"its now is {live.lag_minutes:.1f} min after the latest training order (offline: 0)",
            f"  read back: {live.suggestion_rows:,} rows of the evaluated customers "
            f"({live.seconds['read back']:.1f} s)",
            f"  settings: SUGGESTIONS_PER_LIST {settings.SUGGESTIONS_PER_LIST}, "
            f"SUGGESTIONS_MIN_PER_LIST {settings.SUGGESTIONS_MIN_PER_LIST}, "
            f"SUGGESTIONS_MAX_PER_CATEGORY {settings.SUGGESTIONS_MAX_PER_CATEGORY}, "
            f"SUGGESTIONS_RECENT_DAYS {settings.SUGGESTIONS_RECENT_DAYS}, "
            f"SUGGESTIONS_ENGINE_THREADS {settings.SUGGESTIONS_ENGINE_THREADS}",
        ]
    )
