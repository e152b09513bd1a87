"""The database a benchmark runs in, on the same server as the app, which never clobbers another
(``common.scratch_database``: the default connection is pointed at the benchmark's database, created
if missing, then migrated; the developer's own database is never touched), and the options that
choose it.

By default every run makes a database of its own, ``<prefix>_<pid>_<6 hex>``, so two runs at once
never meet, and drops it at the end (``--keep`` keeps it and prints its name). ``--db NAME`` names
the database instead: one that exists is used as it is (only the migrations it lacks are applied)
and never dropped; one that does not is made, and dropped at the end unless ``--keep``. A run only
ever drops a database it created itself.
"""

import argparse
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from common import scratch_database as scratch
from common.scratch_database import exit_cleanly_on_sigterm

__all__ = [
    "add_database_options",
    "check_database_option",
    "database_for",
    "exit_cleanly_on_sigterm",
    "scratch_database",
]

SIZE = "{size}"


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
    """Run the block against a migrated database, and yield its name (see ``common.scratch_database``)."""

    def kept(name: str) -> None:
        print(f"kept database {name}; measure it again with --db {name}", file=sys.stderr, flush=True)

    with scratch.scratch_database(prefix, name=name, keep=keep, on_kept=kept) as made:
        yield made
