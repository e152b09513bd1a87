"""``manage.py replay_erasures``: after restoring a backup, erase again whoever the backup brought back."""

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from privacy import ledger
from privacy.erasure import LedgerNotWritten
from privacy.management.operator import operator_name
from privacy.replay import replay_erasures


class Command(BaseCommand):
    help = (
        "Run after restoring a backup, before the app starts: erase again every customer the erasure "
        "ledger lists who is not erased in this database, and complete every erasure asked for here and "
        "not done. Prints counts, never names. The run is audited; safe to run again."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--ledger",
            type=Path,
            help=f"the erasure ledger to read (default: ERASURE_LEDGER_PATH, {settings.ERASURE_LEDGER_PATH})",
        )
        parser.add_argument("--dry-run", action="store_true", help="count what would be done; change nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["ledger"] or settings.ERASURE_LEDGER_PATH
        dry_run: bool = options["dry_run"]
        try:
            found = ledger.read(path)
        except FileNotFoundError:
            raise CommandError(
                f"There is no erasure ledger at {path}. Restore it from its own backup first, or point "
                "--ledger at it: without it, every customer erased since the backup was taken comes back. "
                "(If no customer was ever erased here, create it empty.)"
            ) from None
        except OSError as exc:
            raise CommandError(f"The erasure ledger at {path} cannot be read: {exc.strerror}.") from None
        try:
            report = replay_erasures(found.entries, dry_run=dry_run, run_by=operator_name(), ledger=str(path))
        except LedgerNotWritten as exc:
            raise CommandError(
                f"{exc} ({settings.ERASURE_LEDGER_PATH}). Make it writable and run this again: it is safe to."
            ) from exc
        if dry_run:
            self.stdout.write("Dry run: nothing was changed. It would do this:")
        self.stdout.write(f"ledger entries: {len(found.entries)}")
        self.stdout.write(f"erased again: {report.erased_again}")
        self.stdout.write(f"already erased: {report.already_erased}")
        self.stdout.write(f"not found: {report.not_found}")
        self.stdout.write(f"id reused by someone made after the erasure (left alone): {report.id_reused}")
        self.stdout.write(f"requested and not done, erased now: {report.requests_completed}")
        if found.unreadable_lines:
            numbers = ", ".join(str(number) for number in found.unreadable_lines[:20])
            raise CommandError(
                f"{len(found.unreadable_lines)} lines of the ledger could not be read (line {numbers}); "
                "the customers they name, if any, were not erased again. Look at those lines in the file "
                "(they hold ids only), mend them and run this again."
            )
