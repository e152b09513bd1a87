"""``manage.py seed_demo``: two years of a department store's data, the same for the same seed."""

import sys
from argparse import ArgumentTypeError
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from common.db_roles import as_owner
from customers.models import Customer
from demo.generate import DemoDataExists, SeedReport, seed
from demo.generate.common import Bar, Progress, no_progress


def parse_day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ArgumentTypeError(f"expected a date like 2026-03-31, not {value!r}") from None


class _TqdmBar:
    def __init__(self, bar: tqdm) -> None:
        self.bar = bar

    def grow(self, n: int) -> None:
        self.bar.total = (self.bar.total or 0) + n
        self.bar.refresh()

    def advance(self, n: int) -> None:
        self.bar.update(n)


@contextmanager
def tqdm_progress(phase: str) -> Iterator[Bar]:
    with tqdm(
        desc=f"{phase:<18}", total=0, unit=" rows", unit_scale=True, file=sys.stderr, leave=True
    ) as bar:
        yield _TqdmBar(bar)


class Command(BaseCommand):
    help = "Fill the database with realistic, deterministic demo data (stores, staff, catalogue, customers…)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--customers", type=int, default=20_000, help="how many customers (default 20000)"
        )
        parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
        parser.add_argument(
            "--today",
            type=parse_day,
            default=None,
            help="the day the two years of history end (YYYY-MM-DD; default: today in UTC)",
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when the database already has customers"
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bars")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["customers"] < 1:
            raise CommandError("--customers must be at least 1.")
        if options["if_empty"] and Customer.objects.exists():
            self.stdout.write("The database already has customers; not seeding demo data (--if-empty).")
            return
        today = options["today"] or datetime.now(UTC).date()
        progress: Progress = no_progress if options["no_progress"] else tqdm_progress
        try:
            # As the tables' owner, which may rebuild their indexes around the bulk load (much
            # faster); the app's own role only inserts row by row (common/db_roles.py).
            with as_owner(required=False):
                report = seed(
                    customers=options["customers"],
                    seed=options["seed"],
                    today=today,
                    progress=progress,
                    pictures=settings.PRODUCT_IMAGE_ROOT,
                )
        except DemoDataExists as error:
            raise CommandError(f"{error} Use --if-empty, or start from an empty database.") from None
        self._summarise(report, today)

    def _summarise(self, report: SeedReport, today: date) -> None:
        width = max(len(table) for table in report.counts)
        self.stdout.write(f"Demo data up to {today.isoformat()}:")
        for table, count in report.counts.items():
            self.stdout.write(f"  {table:<{width}}  {count:>10,}")
        if report.skipped_users:
            self.stdout.write(f"Kept existing users: {', '.join(report.skipped_users)}.")
        phases = ", ".join(f"{name} {seconds:.1f}s" for name, seconds in report.phases.items())
        self.stdout.write(self.style.SUCCESS(f"Seeded in {report.elapsed:.1f}s ({phases})."))
        self.stdout.write("Staff sign in with the logins that `manage.py demo_logins` lists.")
