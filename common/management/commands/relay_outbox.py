"""``manage.py relay_outbox``: publish the jobs that are due now (beat does this every 30 seconds),
or, with ``--status``, list the jobs not done yet."""

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from common import outbox
from common.models import OutboxTask


class Command(BaseCommand):
    help = "Publish the outbox's due jobs to the broker now, or list the open ones (--status)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--status", action="store_true", help="list the jobs not done yet")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["status"]:
            now = timezone.now()
            open_jobs = OutboxTask.objects.filter(done_at__isnull=True).order_by("created_at")
            for job in open_jobs[:200]:
                waited = int((now - job.created_at).total_seconds())
                self.stdout.write(
                    f"{job.pk}\t{job.name}\t{job.attempts} sent\twaiting {waited} s\t{job.last_error}"
                )
            self.stdout.write(f"{open_jobs.count()} open")
            return
        counts = outbox.relay()
        self.stdout.write(f"published {counts['sent']}; {counts['open']} not done yet")
