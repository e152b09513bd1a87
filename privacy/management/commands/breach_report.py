"""``manage.py breach_report``: the customers an account (or anyone, in a window) saw, as CSV."""

import os
from argparse import ArgumentParser
from datetime import datetime
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.models import User
from privacy.breach import breach_report, write_csv
from privacy.management.operator import operator_name


def parse_moment(value: str) -> datetime:
    """An ISO 8601 date or date-time; without an offset it is read in the server's ``TIME_ZONE``."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(
            f"{value!r} is not an ISO 8601 date or date-time (2026-05-01T09:00+01:00)."
        ) from None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


class Command(BaseCommand):
    help = (
        "List every customer whose data was viewed or handled, by one staff account and/or in a time "
        "window, with contact details for notification (CSV). The run is audited."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--actor", help="username of the staff account concerned")
        parser.add_argument("--since", help="start, ISO 8601 (inclusive); naive times are in TIME_ZONE")
        parser.add_argument("--until", help="end, ISO 8601 (inclusive); default: now")
        parser.add_argument("--output", help="write the CSV to this file (created readable by you only)")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = None
        if options["actor"]:
            try:
                actor = User.objects.get(username=options["actor"])
            except User.DoesNotExist:
                raise CommandError(f"No staff account is called {options['actor']!r}.") from None
        since = parse_moment(options["since"]) if options["since"] else None
        until = parse_moment(options["until"]) if options["until"] else timezone.now()
        if actor is None and since is None:
            raise CommandError("Give --actor, --since, or both.")
        try:
            rows = breach_report(actor=actor, since=since, until=until, run_by=operator_name())
        except ValueError as refused:
            raise CommandError(str(refused)) from None
        if options["output"]:
            path = Path(options["output"])
            # Names and contact details: readable by the operator only, from the first byte.
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.fchmod(descriptor, 0o600)  # also when the file was already there
            with os.fdopen(descriptor, "w", newline="", encoding="utf-8") as out:
                write_csv(rows, out)
            self.stderr.write(f"{len(rows)} customers written to {path}.")
        else:
            write_csv(rows, self.stdout)
