"""A database of one's own on the app's server, made, migrated, and dropped afterwards: for the
benchmarks (``bench/_scratch.py``) and the live evaluation (``manage.py evaluate_suggestions_live``),
which fill a database with data of their own and must never touch the developer's.

Uses Django's test-database machinery: the default connection (and every connection opened after,
in any thread) is pointed at the scratch database (created if missing, then migrated) and pointed
back afterwards. The database is made and dropped as the owner role (``common.db_roles``), which
migrates it too; the block runs as the app's role. A run only ever drops a database it created
itself.
"""

import os
import secrets
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

from django.db import connection
from django.db.backends.postgresql.psycopg_any import errors
from django.db.utils import ProgrammingError

from common.db_roles import as_owner


def exit_cleanly_on_sigterm() -> None:
    """Turn SIGTERM (what ``timeout`` sends) into SystemExit, so ``finally`` blocks drop the databases."""

    def _exit(signum: int, frame: FrameType | None) -> None:
        sys.exit(128 + signum)

    signal.signal(signal.SIGTERM, _exit)


@contextmanager
def scratch_database(
    prefix: str,
    *,
    name: str | None = None,
    keep: bool = False,
    on_kept: Callable[[str], object] | None = None,
) -> Iterator[str]:
    """Run the block against a migrated database, and yield its name.

    Without ``name``, a new database ``<prefix>_<pid>_<6 hex>``. With ``name``, that database: used as
    it is if it exists, made otherwise. Dropped afterwards only if this run made it and not ``keep``
    (then ``on_kept`` is called with its name).
    """
    # A pool (DATABASE_URL with psycopg's pool) keeps connections to whichever database it first
    # served; drop it on every switch, or the next size would quietly reuse the previous database.
    _close_pool()
    name = name or f"{prefix}_{os.getpid()}_{secrets.token_hex(3)}"
    original_name = connection.settings_dict["NAME"]
    original_test_name = connection.settings_dict["TEST"].get("NAME")
    with as_owner():  # the app's own role may not create databases; the owner migrates them anyway
        created = _create_unless_exists(name)
    try:
        connection.settings_dict["TEST"]["NAME"] = name
        # keepdb: it exists by now (made above, or someone's), so Django neither makes nor drops it.
        connection.creation.create_test_db(verbosity=0, autoclobber=False, keepdb=True)
        yield name
    finally:
        _close_pool()
        connection.creation.destroy_test_db(original_name, verbosity=0, keepdb=True)  # switch back
        connection.settings_dict["TEST"]["NAME"] = original_test_name
        if created and not keep:
            with as_owner():
                _drop(name)
        elif created and on_kept is not None:
            on_kept(name)


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
