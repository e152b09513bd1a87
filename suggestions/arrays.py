"""Large reads out of PostgreSQL as numpy arrays: a query's columns aggregated into arrays
(``array_agg``) and sent by ``COPY … TO STDOUT (FORMAT BINARY)``, which numpy reads in place.

psycopg hands a COPY over row by row, in Python: the 13 million order lines of a million customers,
sent as rows, cost more in Python than the query costs PostgreSQL. Sent as a few rows of arrays
they cost next to nothing. ``each_on_own_connection`` runs several such reads at once.
"""

import struct
import threading
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext

import numpy as np
from django.db import connection
from psycopg import ClientCursor, Copy

BIGINT, INT = np.dtype(">i8"), np.dtype(">i4")
"""Element types as PostgreSQL sends them (timestamptz is a BIGINT: microseconds since 2000)."""
_SIGNATURE = b"PGCOPY\n\xff\r\n\x00"


def copy_arrays(
    sql: str, params: Sequence[object] | Mapping[str, object] | None, types: tuple[np.dtype, ...]
) -> list[np.ndarray]:
    """Run ``COPY (sql) TO STDOUT (FORMAT BINARY)`` for a query whose columns are arrays, without
    NULLs, of the fixed-width ``types``: each column's arrays, all rows joined, in native byte order."""
    payload = bytearray()
    with copy_on_connection(f"COPY ({sql}) TO STDOUT (FORMAT BINARY)", params) as copy:
        for chunk in copy:
            payload += chunk
    columns: list[list[np.ndarray]] = [[] for _ in types]
    for row in _copy_rows(memoryview(payload)):
        if len(row) != len(types):
            raise ValueError(f"Expected {len(types)} columns, PostgreSQL sent {len(row)}.")
        for column, field, kind in zip(columns, row, types, strict=True):
            column.append(_array(field, kind))
    return [
        np.concatenate(parts) if parts else np.empty(0, kind.newbyteorder("="))
        for parts, kind in zip(columns, types, strict=True)
    ]


@contextmanager
def copy_on_connection(
    statement: str, params: Sequence[object] | Mapping[str, object] | None = None
) -> Iterator[Copy]:
    """psycopg's ``copy`` on this thread's connection, in Django's query log like any query while it
    keeps one (DEBUG, or a test counting queries): psycopg runs a COPY out of Django's sight."""
    with connection.cursor() as cursor:
        log = getattr(cursor, "debug_sql", None)  # only on the cursor that logs
        logged = log(ClientCursor(cursor.connection).mogrify(statement, params)) if log else nullcontext()
        with logged, cursor.cursor.copy(statement, params) as copy:
            yield copy


def _copy_rows(data: memoryview) -> Iterator[list[memoryview | None]]:
    """The fields of each row of a binary COPY stream (PostgreSQL's documented file format)."""
    if bytes(data[:11]) != _SIGNATURE:
        raise ValueError("Not a binary COPY stream.")
    (extension,) = struct.unpack_from(">i", data, 15)
    at = 19 + extension
    while True:
        (n_fields,) = struct.unpack_from(">h", data, at)
        at += 2
        if n_fields == -1:
            return
        row: list[memoryview | None] = []
        for _ in range(n_fields):
            (length,) = struct.unpack_from(">i", data, at)
            at += 4
            row.append(None if length < 0 else data[at : at + length])
            at += max(length, 0)
        yield row


def _array(field: memoryview | None, kind: np.dtype) -> np.ndarray:
    """A one-dimensional PostgreSQL array in binary form (each element: its length, then its bytes)."""
    native = kind.newbyteorder("=")
    if field is None:  # array_agg over no rows
        return np.empty(0, native)
    n_dims, has_nulls = struct.unpack_from(">ii", field, 0)
    if n_dims == 0:
        return np.empty(0, native)
    if n_dims != 1 or has_nulls:
        raise ValueError("Expected a one-dimensional array without NULLs.")
    (size,) = struct.unpack_from(">i", field, 12)
    elements = np.frombuffer(field, dtype=[("length", ">i4"), ("value", kind)], count=size, offset=20)
    if size and (elements["length"] != kind.itemsize).any():
        raise ValueError(f"Expected elements of {kind.itemsize} bytes.")
    return elements["value"].astype(native)


READ_CONNECTIONS = 2
"""Connections ``each_on_own_connection`` reads on at once: PostgreSQL runs each in a process of its
own, so two keep both cores of a small server busy."""


def each_on_own_connection[T, R](work: Callable[[T], R], pieces: Sequence[T]) -> list[R]:
    """``[work(piece) for piece in pieces]``, on ``READ_CONNECTIONS`` threads each with a connection
    of its own, taking the next piece as they finish one.

    Only outside a transaction: another connection does not see what this one has not committed (a
    test's rows, say), so inside one everything runs here, in order, on this connection.
    """
    if READ_CONNECTIONS <= 1 or len(pieces) <= 1 or connection.in_atomic_block:
        return [work(piece) for piece in pieces]
    results: list[R | None] = [None] * len(pieces)
    waiting = deque(enumerate(pieces))
    failures: list[BaseException] = []

    def drain() -> None:
        try:
            while waiting and not failures:
                try:
                    index, piece = waiting.popleft()
                except IndexError:  # another thread took the last one
                    return
                results[index] = work(piece)
        except BaseException as error:  # raised again below, in the caller's thread
            failures.append(error)
        finally:
            connection.close()  # this thread's own

    threads = [threading.Thread(target=drain) for _ in range(min(READ_CONNECTIONS, len(pieces)))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]
    return results  # type: ignore[return-value]  # every index was filled
