"""Bulk loads and fresh statistics: a load refreshes the statistics of the tables it will read and
write before its set-based statements, and bounds every statement's time."""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from django.db import connection


def refresh_statistics(tables: Sequence[str]) -> None:
    """ANALYZE ``tables`` (the app's own, in ``public``) through the owner's function, so that the
    runtime role may; within the current transaction if there is one."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT app_refresh_statistics(%s)", [list(tables)])


@contextmanager
def statement_timeout(seconds: int) -> Iterator[None]:
    """Within the current transaction: a statement running longer than ``seconds`` is cancelled
    (a plan gone wrong fails in minutes instead of running for hours)."""
    if not connection.in_atomic_block:
        raise RuntimeError("statement_timeout applies to a transaction: call it inside one.")
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('statement_timeout', %s, true)", [f"{int(seconds * 1000)}ms"])
    yield
