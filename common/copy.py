"""Bulk loading with PostgreSQL COPY: ids allocated by the caller, columns formatted with numpy.

Rows are written in COPY's text format, formatted column by column and joined in large chunks: on
this workload that is several times faster than ``write_row`` (which formats each value in Python)
and than any ORM path. Numeric columns stay numpy arrays until their chunk is written, so memory
stays bounded however many rows a table gets.
"""

import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol, cast

import numpy as np
from django.db import DatabaseError, IntegrityError, connection, models, transaction

NULL = r"\N"
CHUNK_ROWS = 50_000
MISSING = np.iinfo(np.int64).min  # stands for NULL in optional integer and timestamp columns
_CENTS = np.array([f".{i:02d}" for i in range(100)], dtype=object)


class Bar(Protocol):
    """Progress, as rows are announced (``grow``) and written (``advance``)."""

    def grow(self, n: int) -> None: ...

    def advance(self, n: int) -> None: ...


class _Silent:
    def grow(self, n: int) -> None:
        pass

    def advance(self, n: int) -> None:
        pass


class Lazy:
    """A column kept as arrays and formatted one chunk at a time by ``render``."""

    def __init__(self, render: Callable[..., list[str]], *arrays: np.ndarray) -> None:
        self.render, self.arrays = render, arrays

    def __len__(self) -> int:
        return len(self.arrays[0])

    def chunk(self, start: int, stop: int) -> list[str]:
        return self.render(*(array[start:stop] for array in self.arrays))


Column = list[str] | Lazy


def quote(name: str) -> str:
    return connection.ops.quote_name(name)


def next_id(model: type[models.Model]) -> int:
    """The first free primary key: explicit ids let every phase link rows before they are written."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {quote(model._meta.db_table)}")  # noqa: S608
        row = cursor.fetchone()
    return int(row[0])


def sync_sequence(model: type[models.Model]) -> None:
    """Move the identity sequence past the ids we wrote, so the next ORM insert gets a fresh id.

    Also used before a service inserts rows itself: starting its ids at ``MAX(id) + 1`` (rather than
    wherever an earlier, rolled-back run left the sequence) keeps re-seeded data identical.
    """
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT setval(pg_get_serial_sequence(%s, 'id'), COALESCE(MAX(id), 0) + 1, false)
            FROM {quote(table)}
            """,  # noqa: S608 - the table name comes from model metadata
            [table],
        )


class CopyWriter:
    """Writes whole tables through one psycopg COPY each, counting rows per table."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}
        self.seconds: dict[str, float] = {}  # formatting and COPY, per table

    def write(self, model: type[models.Model], columns: dict[str, Column], bar: Bar | None = None) -> int:
        bar = bar or _Silent()
        table = model._meta.db_table
        _check_columns(model, columns)
        values = list(columns.values())
        n = len(values[0])
        if any(len(v) != n for v in values):
            raise ValueError(f"{table}: columns have different lengths")
        bar.grow(n)
        started = time.perf_counter()
        statement = f"COPY {quote(table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
        with connection.cursor() as wrapper:
            cursor = cast(Any, wrapper).cursor  # the psycopg cursor under Django's wrapper
            with cursor.copy(statement) as copy:
                for start in range(0, n, CHUNK_ROWS):
                    stop = min(start + CHUNK_ROWS, n)
                    parts = [v.chunk(start, stop) if isinstance(v, Lazy) else v[start:stop] for v in values]
                    copy.write("\n".join(map("\t".join, zip(*parts, strict=True))) + "\n")
                    bar.advance(stop - start)
        self.counts[table] = self.counts.get(table, 0) + n
        self.seconds[table] = self.seconds.get(table, 0.0) + time.perf_counter() - started
        return n


def _check_columns(model: type[models.Model], columns: dict[str, Column]) -> None:
    """Fail before COPY on a misspelt column or a forgotten NOT NULL one (auto_now has no DB default)."""
    # Generated columns (Customer.search_name) are computed by PostgreSQL and cannot be written.
    fields = {f.column: f for f in model._meta.concrete_fields if not f.generated}
    unknown = set(columns) - set(fields)
    if unknown:
        raise ValueError(f"{model._meta.db_table}: unknown columns {sorted(unknown)}")
    missing = [
        column
        for column, field in fields.items()
        if column not in columns and not field.null and not field.has_db_default() and not field.primary_key
    ]
    if missing:
        raise ValueError(f"{model._meta.db_table}: missing NOT NULL columns {missing}")


def ints(values: np.ndarray) -> Lazy:
    return Lazy(_format_ints, np.asarray(values, dtype=np.int64))


def id_range(first: int, n: int) -> Lazy:
    return ints(np.arange(first, first + n, dtype=np.int64))


def optional_ints(values: np.ndarray, present: np.ndarray) -> Lazy:
    return ints(np.where(present, values, MISSING))


def money(cents: np.ndarray) -> Lazy:
    return Lazy(_format_money, np.asarray(cents, dtype=np.int64))


def timestamps(epoch_seconds: np.ndarray) -> Lazy:
    return Lazy(_format_timestamps, np.asarray(epoch_seconds, dtype=np.int64))


def optional_timestamps(epoch_seconds: np.ndarray, present: np.ndarray) -> Lazy:
    return timestamps(np.where(present, epoch_seconds, MISSING))


def dates(epoch_days: np.ndarray, present: np.ndarray) -> Lazy:
    return Lazy(_format_dates, np.asarray(epoch_days, dtype=np.int64), present)


def bools(values: np.ndarray) -> Lazy:
    return Lazy(lambda chunk: cast(list[str], np.where(chunk, "t", "f").tolist()), values)


def pick(table: Sequence[str], index: np.ndarray) -> Lazy:
    """Text from a small vocabulary by index (channel names, currencies, reasons)."""
    lookup = np.array([escape(v) for v in table], dtype=object)
    return Lazy(lambda chunk: cast(list[str], lookup[chunk].tolist()), index)


def texts(values: Iterable[str]) -> list[str]:
    return [escape(v) for v in values]


def const(value: str, n: int) -> list[str]:
    return [escape(value)] * n


def escape(value: str) -> str:
    """COPY text format treats backslash, tab and newline specially; names and copy could hold them."""
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return value


def _format_ints(values: np.ndarray) -> list[str]:
    """A lookup table when the range is compact (ids, counts, sizes), as it nearly always is."""
    missing = values == MISSING
    if missing.any():
        out = np.full(len(values), NULL, dtype=object)
        out[~missing] = _format_ints(values[~missing])
        return cast(list[str], out.tolist())
    if len(values) == 0:
        return []
    low, high = int(values.min()), int(values.max())
    if high - low <= 2 * len(values) + 1024:
        table = np.array(list(map(str, range(low, high + 1))), dtype=object)
        return cast(list[str], table[values - low].tolist())
    return cast(list[str], values.astype(str).tolist())


def _format_money(cents: np.ndarray) -> list[str]:
    """Cents as a decimal with two places, formatting each distinct amount once."""
    unique, inverse = np.unique(cents, return_inverse=True)
    whole = np.array(list(map(str, (unique // 100).tolist())), dtype=object)
    table = whole + _CENTS[unique % 100]
    return cast(list[str], table[inverse].tolist())


def _format_timestamps(epoch_seconds: np.ndarray) -> list[str]:
    """UTC instants as ISO 8601 with an explicit offset, which PostgreSQL reads unambiguously."""
    missing = epoch_seconds == MISSING
    text = np.char.add(np.datetime_as_string(epoch_seconds.astype("datetime64[s]"), unit="s"), "+00")
    if missing.any():
        text = text.astype(object)
        text[missing] = NULL
    return cast(list[str], text.tolist())


def _format_dates(epoch_days: np.ndarray, present: np.ndarray) -> list[str]:
    text = np.datetime_as_string(epoch_days.astype("datetime64[D]"), unit="D").astype(object)
    text[~present] = NULL
    return cast(list[str], text.tolist())


def skip_foreign_key_checks() -> bool:
    """Let this transaction's COPYs skip the per-row foreign-key triggers, where allowed.

    Django's foreign keys are deferred, so every copied row queues a trigger event that runs one
    lookup at COMMIT: for a large seed that is most of the total time. A superuser (the embedded
    server's role) can switch the session to replica mode, in which those triggers do not fire; the
    caller must then verify every reference with ``check_foreign_keys`` in one set-based pass.
    Returns False, leaving the ordinary checks on, when the role may not do that.
    """
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
    except DatabaseError:
        return False
    return True


def check_foreign_keys(models_: Sequence[type[models.Model]]) -> None:
    """Restore ordinary trigger behaviour and prove that every foreign key of ``models_`` resolves."""
    checks: list[str] = []
    for model in models_:
        for field in model._meta.concrete_fields:
            if not isinstance(field, models.ForeignKey):
                continue
            name = f"{model._meta.db_table}.{field.column}"
            child, column = quote(model._meta.db_table), quote(str(field.column))
            parent = quote(field.target_field.model._meta.db_table)
            key = quote(str(field.target_field.column))
            checks.append(
                f"SELECT '{name}' WHERE EXISTS (SELECT 1 FROM {child} c WHERE c.{column} IS NOT NULL "  # noqa: S608
                f"AND NOT EXISTS (SELECT 1 FROM {parent} p WHERE p.{key} = c.{column}))"
            )
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = origin")
        cursor.execute(" UNION ALL ".join(checks))
        broken = [row[0] for row in cursor.fetchall()]
    if broken:
        raise IntegrityError(f"demo data has dangling references in {', '.join(broken)}")


def drop_secondary_indexes(models_: Sequence[type[models.Model]]) -> list[str]:
    """Drop every index of ``models_`` except primary keys; returns the statements that rebuild them.

    Maintaining a b-tree row by row costs more than the COPY itself (random keys such as e-mail
    addresses or product ids touch a different page each time, and text keys compare slowly),
    while CREATE INDEX afterwards sorts once. Unique indexes and constraints are rebuilt too, and
    rebuilding one verifies it, so a duplicate still aborts the seed, only later. Primary keys, and
    unique keys that a foreign key points at, stay. Only the tables' owner may (``common.db_roles``):
    for any other role, every index stays and nothing is returned.
    """
    tables = [model._meta.db_table for model in models_]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT bool_and(pg_has_role(current_user, tableowner, 'USAGE')) FROM pg_tables "
            "WHERE schemaname = current_schema() AND tablename = ANY(%s)",
            [tables],
        )
        owned = cursor.fetchone()
        if not owned or not owned[0]:
            return []
        cursor.execute(
            """
            SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid),
                   i.indrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)
            FROM pg_index i
            LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid AND c.contype IN ('u', 'x')
            WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary
              AND NOT EXISTS (
                  SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = i.indexrelid
              )
            ORDER BY 1
            """,
            [tables],
        )
        found = cursor.fetchall()
        rebuild: list[str] = []
        for index, index_definition, table, constraint, constraint_definition in found:
            if constraint:
                cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quote(constraint)}")
                rebuild.append(
                    f"ALTER TABLE {table} ADD CONSTRAINT {quote(constraint)} {constraint_definition}"
                )
            else:
                cursor.execute(f"DROP INDEX {index}")
                rebuild.append(index_definition)
    return rebuild


def create_indexes(definitions: Sequence[str]) -> None:
    with connection.cursor() as cursor:
        # A bigger sort area lets each index build in memory; LOCAL keeps it to this transaction.
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for definition in definitions:
            cursor.execute(definition)
