"""Build the dashboard's rollups for past days (a backfill), a month at a time, with each day's
snapshot.

manage.py rollup_dashboard --since 2025-01-01                    # up to yesterday
manage.py rollup_dashboard --since 2025-01-01 --until 2025-12-31 # both days included
manage.py rollup_dashboard --days 400 --if-empty                  # make demo: once, after seeding
"""

import time
from datetime import date, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from managers import rollups
from managers.models import StoreDay

CHUNK_DAYS = 31


class Command(BaseCommand):
    help = "Rebuild the store dashboard's rollups and snapshots for a range of days."

    def add_arguments(self, parser: CommandParser) -> None:
        first = parser.add_mutually_exclusive_group(required=True)
        first.add_argument("--since", type=date.fromisoformat, help="First day (YYYY-MM-DD).")
        first.add_argument("--days", type=int, help="Or: this many days up to the last one.")
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when rollups exist already (make demo)."
        )
        parser.add_argument(
            "--until", type=date.fromisoformat, help="Last day, included (default: yesterday)."
        )
        parser.add_argument("--no-snapshots", action="store_true", help="Only the additive rows.")

    def handle(
        self,
        *args: Any,
        since: date | None,
        days: int | None,
        until: date | None,
        if_empty: bool,
        no_snapshots: bool,
        **options: Any,
    ) -> None:
        if if_empty and StoreDay.objects.exists():
            self.stdout.write("The dashboard's rollups exist already: nothing to do.")
            return
        until = until or timezone.localdate() - timedelta(days=1)
        if since is None:
            if days is None or days < 1:
                raise CommandError("--days must be at least 1.")
            since = until - timedelta(days=days - 1)
        if until < since:
            raise CommandError("--until must not be before --since.")
        started = time.perf_counter()
        first = since
        while first <= until:
            end = min(first + timedelta(days=CHUNK_DAYS), until + timedelta(days=1))
            chunk = time.perf_counter()
            rebuilt = rollups.rebuild(first, end)
            snapshots = 0
            if not no_snapshots:
                day = first
                while day < end:
                    snapshots += rollups.snapshot(day)
                    day += timedelta(days=1)
            self.stdout.write(
                f"{first} … {end - timedelta(days=1)}: {rebuilt.days} days, {rebuilt.store_days} store "
                f"days, {rebuilt.associate_days} associate days, {snapshots} snapshots "
                f"in {time.perf_counter() - chunk:.1f} s"
            )
            first = end
        self.stdout.write(f"Done: {(until - since).days + 1} days in {time.perf_counter() - started:.1f} s.")
