"""The database a benchmark runs in, on the same server as the app, which never clobbers another.

Uses Django's test-database machinery the way ``bench/seed_demo.py`` does: the default connection is
pointed at the benchmark's database (created if missing, then migrated), and the developer's own
database is never touched.

By default every run makes a database of its own, ``<prefix>_<pid>_<6 hex>``, so two runs at once
never meet, and drops it at the end (``--keep`` keeps it and prints its name). ``--db NAME`` names
the database instead: one that exists is used as it is (only the migrations it lacks are applied)
and never dropped; one that does not is made, and dropped at the end unless ``--keep``. A run only
ever drops a database it created itself.
"""

import argparse
import os
import secrets
import signal
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from types import FrameType

from django.db import connection
from django.db.backends.postgresql.psycopg_any import errors
from django.db.utils import ProgrammingError

SIZE = "{size}"


def exit_cleanly_on_sigterm() -> None:
    """Turn SIGTERM (what ``timeout`` sends) into SystemExit, so ``finally`` blocks drop the databases."""

    def _exit(signum: int, frame: FrameType | None) -> None:
        sys.exit(128 + signum)

    signal.signal(signal.SIGTERM, _exit)


def add_database_options(parser: argparse.ArgumentParser, *, sized: bool = True) -> None:
    """``--db NAME`` and ``--keep``, as every benchmark with a database takes them."""
    where = f"; with several sizes, put {SIZE} in NAME" if sized else ""
    parser.add_argument(
        "--db",
        metavar="NAME",
        help="run in database NAME: used as it is if it exists (never dropped), else made and "
        f"dropped at the end unless --keep{where}",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the database this run makes, and print its name"
    )


def check_database_option(
    parser: argparse.ArgumentParser, db: str | None, sizes: Sequence[int] | None
) -> None:
    """Refuse ``--db`` that would name one database for several sizes (``sizes`` None: one database)."""
    if db is None:
        return
    if sizes is None and SIZE in db:
        parser.error(f"--db: this benchmark runs in one database; {SIZE} has nothing to stand for")
    if sizes is not None and len(set(sizes)) > 1 and SIZE not in db:
        parser.error(f"--db names one database: give a single size, or put {SIZE} in the name")


def database_for(db: str | None, size: int) -> str | None:
    """The ``--db`` name for ``size`` (its ``{size}`` filled in), or None: a database of the run's own."""
    return db.replace(SIZE, str(size)) if db else None


@contextmanager
def scratch_database(prefix: str, *, name: str | None = None, keep: bool = False) -> Iterator[str]:
    """Run the block against a migrated database, and yield its name.

    Without ``name``, a new database ``<prefix>_<pid>_<6 hex>``. With ``name``, that database: used as
    it is if it exists, made otherwise. Dropped afterwards only if this run made it and not ``keep``.
    """
    # A pool (DATABASE_URL with psycopg's pool) keeps connections to whichever database it first
    # served; drop it on every switch, or the next size would quietly reuse the previous database.
    _close_pool()
    name = name or f"{prefix}_{os.getpid()}_{secrets.token_hex(3)}"
    original_name = connection.settings_dict["NAME"]
    created = _create_unless_exists(name)
    try:
        connection.settings_dict["TEST"]["NAME"] = name
        # keepdb: it exists by now (made above, or someone's), so Django neither makes nor drops it.
        connection.creation.create_test_db(verbosity=0, autoclobber=False, serialize=False, keepdb=True)
        yield name
    finally:
        _close_pool()
        connection.creation.destroy_test_db(original_name, verbosity=0, keepdb=True)  # switch back
        if created and not keep:
            _drop(name)
        elif created:
            print(f"kept database {name}; measure it again with --db {name}", file=sys.stderr, flush=True)


def _create_unless_exists(name: str) -> bool:
    """Make database ``name``; False if it exists already. One statement, so no other run can slip in
    between a look and the creation and have its database taken for this run's."""
    creation = connection.creation
    statement = f"CREATE DATABASE {connection.ops.quote_name(name)} {creation.sql_table_creation_suffix()}"
    with connection._nodb_cursor() as cursor:
        try:
            cursor.execute(statement)
        except ProgrammingError as error:
            if isinstance(error.__cause__, errors.DuplicateDatabase):
                return False
            raise
    return True


def _drop(name: str) -> None:
    """Drop the database this run made, ending any session of it still open (a connection a
    benchmark's threads or processes left behind): nobody else's, since the name is this run's."""
    with connection._nodb_cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(name)} WITH (FORCE)")


def _close_pool() -> None:
    connection.close()
    if hasattr(connection, "close_pool"):
        connection.close_pool()
