"""Make today's occasions now, as the nightly task does (resumes a run cut short; a rule finished
today is not run again).

manage.py make_occasions    # make demo runs it, so My day opens on whom to contact
"""

import time
from typing import Any

from django.core.management.base import BaseCommand

from occasions import generate


class Command(BaseCommand):
    help = "Make today's occasions (every active rule, for every customer), as the nightly task does."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        made = generate.nightly()
        counts = ", ".join(f"{kind} {count}" for kind, count in made.items())
        self.stdout.write(f"Occasions made in {time.perf_counter() - started:.1f} s: {counts}.")
