"""``manage.py evaluate_suggestions PATH``: the engine against baselines, offline, last-order protocol.

Reads purchase history from a CSV (``--format generic``: customer_id,order_id,product_id,ordered_at
[,quantity,store_id,category] with a header; ``online_retail``: the UCI Online Retail export; ``auto``
looks at the header). Malformed rows are skipped and counted (the first few are shown); ``--strict``
stops at the first one instead, naming its line. A missing column always stops the command.

Each customer with three or more orders has her last order held out; every method learns from all
other rows and proposes ten items. Printed per method: Recall@10, NDCG@10, the same recall on the
items she had bought before (repeat) and on the others (new), new list (new-item recall of a list of
items she has not bought: the engine's Discover list, a baseline's best such list), catalogue
coverage, fit + recommend seconds, and how many sensitive items it suggested
(``--sensitive-categories``: one category name per line, # for comments; the baselines ignore it,
the engine never suggests them, and they stay in the held-out orders, so the engine is scored
against items it may not show). Customers are split by a fixed hash of their id into a "tune" half,
on which the engine's defaults were chosen, and a "report" half. The baselines' hyper-parameters
are searched on the tune half first, for each list (a few minutes per baseline on Online Retail;
``--no-tune``: the values stored in ``suggestions/evaluation/tuned.py``), and printed. The generic
format's store_id is accepted and not used.

What the product serves from the same file (the import, the grant, the refresh and the lists it
stores), beside these figures: ``manage.py evaluate_suggestions_live PATH``.
"""

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from suggestions.evaluation.readers import (
    MalformedInput,
    mark_sensitive,
    read_interactions,
    read_sensitive_categories,
)
from suggestions.evaluation.runner import (
    METHODS,
    dataset_summary,
    evaluate,
    hyper_parameters,
    split_rows,
    table,
    truth_summary,
)


class Command(BaseCommand):
    help = (
        "Evaluate the suggestion engine against popularity, personal top-frequency, item-kNN, ALS and "
        "TIFU-KNN (tuned on half the customers) on a purchase history CSV: hold out each customer's "
        "last order, print Recall@10 and NDCG@10."
    )
    # Offline work on a file: no database, so none of the checks that would need one.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("path", type=Path, help="the CSV (plain or .gz)")
        parser.add_argument("--format", choices=("auto", "generic", "online_retail"), default="auto")
        parser.add_argument(
            "--sensitive-categories",
            type=Path,
            help="file of category names, one a line: never suggested by the engine, counted for all",
        )
        parser.add_argument(
            "--methods",
            nargs="+",
            choices=METHODS,
            default=list(METHODS),
            help="which methods to run (default: all; ALS needs the dev extra 'implicit')",
        )
        parser.add_argument("--split", choices=("tune", "report", "all"), default="all")
        parser.add_argument(
            "--limit-customers", type=int, help="evaluate only N customers (a fixed hash sample)"
        )
        parser.add_argument(
            "--threads", type=int, help="engine workers, ALS threads and searches at once (default: cores)"
        )
        parser.add_argument(
            "--no-tune",
            action="store_true",
            help="use the baselines' stored hyper-parameters (suggestions/evaluation/tuned.py), no search",
        )
        parser.add_argument("--strict", action="store_true", help="stop at the first malformed row")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["limit_customers"] is not None and options["limit_customers"] < 1:
            raise CommandError("--limit-customers must be at least 1.")
        try:
            dataset = read_interactions(options["path"], options["format"], strict=options["strict"])
            if options["sensitive_categories"]:
                categories = read_sensitive_categories(options["sensitive_categories"])
                dataset = mark_sensitive(dataset, categories)
        except MalformedInput as problem:
            raise CommandError(str(problem)) from None
        self.stdout.write(dataset_summary(dataset, options["path"]))
        for example in dataset.skipped_examples:
            self.stdout.write(f"  skipped {example}")
        try:
            evaluation = evaluate(
                dataset,
                methods=tuple(dict.fromkeys(options["methods"])),
                limit_customers=options["limit_customers"],
                threads=options["threads"],
                tune=not options["no_tune"],
            )
        except ValueError as problem:
            raise CommandError(str(problem)) from None
        self.stdout.write(truth_summary(evaluation.holdout))
        self.stdout.write(f"threads: {evaluation.threads}")
        for note in evaluation.notes:
            self.stdout.write(note)
        for title, rows in split_rows(evaluation.holdout, options["split"]):
            self.stdout.write("")
            self.stdout.write(table(evaluation, rows, title))
        self.stdout.write("")
        self.stdout.write(
            "new list: new-item Recall@10 of a list without her past items (engine: its Discover list); "
            "sens.: sensitive items among all the rows the method suggested."
        )
        chosen = hyper_parameters(evaluation)
        if chosen:
            self.stdout.write("")
            self.stdout.write(
                "hyper-parameters (list of ten chosen by Recall@10, new-item list by new-item R@10):"
            )
            self.stdout.write(chosen)
