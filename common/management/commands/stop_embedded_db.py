"""``manage.py stop_embedded_db``: stop the embedded PostgreSQL of development (DATABASE_URL unset)
once nothing uses it any more; ``--force`` stops it even then. ``make demo`` runs it when its server
stops, however it stops (Ctrl-C included), with ``--wait``: on Ctrl-C runserver's reloader exits
before the server it killed has quite ended."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from common import embedded_db


class Command(BaseCommand):
    requires_system_checks: list[str] = []  # they would connect, and so start the server
    help = "Stop the embedded PostgreSQL unless a process still uses it (--force: even then)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="stop it even if processes still use it")
        parser.add_argument(
            "--wait",
            type=float,
            default=0,
            metavar="SECONDS",
            help="give the processes that use it this long to end first (default: none)",
        )

    def handle(self, *args: Any, force: bool, wait: float, **options: Any) -> None:
        database = settings.DATABASES["default"]
        if "EMBEDDED_DIR" not in database:
            self.stdout.write("DATABASE_URL is set: there is no embedded PostgreSQL to stop.")
            return
        data_dir = Path(database["EMBEDDED_DIR"])
        if not embedded_db.is_running(data_dir):
            self.stdout.write(f"The embedded PostgreSQL ({data_dir}) is stopped.")
            return
        users = embedded_db.stop(data_dir, force=force, wait=wait)
        if users:
            self.stdout.write(
                f"The embedded PostgreSQL ({data_dir}) is still used by process "
                f"{', '.join(map(str, users))}: it stops when the last of them exits (--force stops it now)."
            )
        else:
            self.stdout.write(f"Stopped the embedded PostgreSQL ({data_dir}).")
