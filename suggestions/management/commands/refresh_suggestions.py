"""Refresh suggestions now: the nightly full run (resumed if unfinished), or the incremental one.

manage.py refresh_suggestions               # full run, here, with a progress bar
manage.py refresh_suggestions --queue       # full run spread over the Celery workers; shows progress
manage.py refresh_suggestions --incremental # customers whose data changed since the last refresh
manage.py refresh_suggestions --if-missing  # only if no full run has finished yet (make demo)
"""

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from suggestions import refresh
from suggestions.incremental import run_incremental_refresh
from suggestions.models import SuggestionRun


class Command(BaseCommand):
    help = "Compute customers' suggestions (a full run resumes an unfinished one)."

    def add_arguments(self, parser: CommandParser) -> None:
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--queue", action="store_true", help="Send the batches to the Celery workers.")
        mode.add_argument("--incremental", action="store_true", help="Only customers whose data changed.")
        parser.add_argument(
            "--if-missing", action="store_true", help="Do nothing if a full run has already finished."
        )

    def handle(self, *args: Any, queue: bool, incremental: bool, if_missing: bool, **options: Any) -> None:
        started = time.perf_counter()
        if (
            if_missing
            and SuggestionRun.objects.filter(
                kind=SuggestionRun.Kind.FULL, status=SuggestionRun.Status.DONE
            ).exists()
        ):
            self.stdout.write("Suggestions are already computed; the nightly run refreshes them.")
            return
        if incremental:
            run = run_incremental_refresh()
            if run is None:
                self.stdout.write("No full run yet: run a full refresh first.")
                return
            self._report(run, started)
            return
        run = refresh.unfinished_full_run()
        if run is not None:
            done = f"{run.done_batches} of {run.total_batches} batches done"
            self.stdout.write(f"Resuming run {run.pk}: {done}.")
        else:
            self.stdout.write("Fitting the model …")
        run = refresh.current_full_run()
        self.stdout.write(f"Run {run.pk}: {run.total_batches} batches.")
        bar = tqdm(total=run.total_batches, initial=run.done_batches, unit="batch", disable=None)
        if queue:
            self._on_workers(run, bar)
        else:
            run = refresh.run_full_refresh(progress=bar.update)  # resumes the run just started
        bar.close()
        self._report(run, started)

    def _on_workers(self, run: SuggestionRun, bar: tqdm) -> None:
        """Send the batches, then follow the run. No batch finished for SUGGESTIONS_STALL_MINUTES:
        send the waiting ones again (a worker or the broker lost them); as long again: give up."""
        from suggestions.tasks import refresh_batch

        quiet = settings.SUGGESTIONS_STALL_MINUTES * 60
        batch_ids = refresh.pending_batches(run)
        refresh.note_batches_sent(run)
        for batch_id in batch_ids:
            refresh_batch.delay(batch_id)
        progressed_at, done, resent = time.monotonic(), run.done_batches, False
        while run.status == SuggestionRun.Status.RUNNING:
            time.sleep(1)
            run.refresh_from_db(fields=["status", "done_batches", "customers", "suggestions"])
            bar.update(run.done_batches - bar.n)
            if run.done_batches != done:
                progressed_at, done = time.monotonic(), run.done_batches
            elif time.monotonic() - progressed_at >= quiet:
                if resent:
                    bar.close()
                    raise CommandError(
                        f"Run {run.pk}: no batch finished in {2 * quiet // 60} minutes "
                        f"({run.done_batches} of {run.total_batches} done). Are workers running? (celery -A "
                        "clienteling inspect ping). The run is kept: run this command again, or wait for "
                        "the nightly run."
                    )
                waiting = refresh.pending_batches(run)
                refresh.note_batches_sent(run)
                self.stderr.write(f"No batch finished in {quiet // 60} min: sending {len(waiting)} again.")
                for batch_id in waiting:
                    refresh_batch.delay(batch_id)
                progressed_at, resent = time.monotonic(), True

    def _report(self, run: SuggestionRun, started: float) -> None:
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"Run {run.pk} ({run.kind}, model {run.model_version}) {run.status}: "
            f"{run.customers} customers, {run.suggestions} suggestions in {seconds:.1f} s."
        )
