"""A scratch database for a benchmark, on the same server as the app, that never outlives the run.

Uses Django's test-database machinery the way ``bench/seed_demo.py`` does: the default connection is
pointed at ``name`` (created and migrated), and the developer's own database is never touched.
"""

import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from django.db import connection


def exit_cleanly_on_sigterm() -> None:
    """Turn SIGTERM (what ``timeout`` sends) into SystemExit, so ``finally`` blocks drop the databases."""

    def _exit(signum: int, frame: FrameType | None) -> None:
        sys.exit(128 + signum)

    signal.signal(signal.SIGTERM, _exit)


@contextmanager
def scratch_database(name: str, *, keep: bool = False, reuse: bool = False) -> Iterator[None]:
    """Run the block against a fresh, migrated database ``name``; drop it afterwards unless ``keep``.

    ``reuse`` keeps an existing ``name`` (say, one seeded by an earlier run with ``keep``) and only
    applies migrations it lacks; otherwise a leftover database of that name is dropped first.
    """
    # A pool (DATABASE_URL with psycopg's pool) keeps connections to whichever database it first
    # served; drop it on every switch, or the next size would quietly reuse the previous database.
    _close_pool()
    connection.settings_dict["TEST"]["NAME"] = name
    original_name = connection.creation.create_test_db(
        verbosity=0, autoclobber=True, serialize=False, keepdb=reuse
    )
    try:
        yield
    finally:
        connection.creation.destroy_test_db(original_name, verbosity=0, keepdb=keep)
        _close_pool()


def _close_pool() -> None:
    connection.close()
    if hasattr(connection, "close_pool"):
        connection.close_pool()
