"""The few long statements the app runs on every card, prepared once per database connection.

Django sends every query with its values written in (client-side binding), so PostgreSQL plans each
one afresh. For the card's long statements, each a dozen subqueries built as JSON, planning costs
more than running: the timeline's page took ~8 ms to plan and ~2 ms to run at 100k customers.
``fetch_all`` and ``fetch_one`` send a statement with its values bound on the server instead, so
psycopg prepares it on its connection after ``PREPARE_AFTER`` uses and PostgreSQL reuses the plan
from then on (a pooled connection lives for many requests). Django's other queries are unchanged.

The statements stay on Django's cursor wrapper: they are counted, logged and time-limited like any
query. Each must be a fixed string, its values passed as ``%(name)s`` parameters.
"""

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import psycopg
from django.db import connections

# Prepared after this many runs on one connection: enough to skip one-off statements, few enough
# that a fresh pooled connection soon has the card's statements ready.
PREPARE_AFTER = 2


def _cursor(using: str) -> Any:
    connection = connections[using]
    connection.ensure_connection()
    raw_connection = connection.connection
    if raw_connection.prepare_threshold is None:  # Django turns preparing off; ClientCursors never do
        raw_connection.prepare_threshold = PREPARE_AFTER
    raw: Any = psycopg.Cursor(raw_connection)  # server-side binding: what can be prepared
    return connection.make_debug_cursor(raw) if connection.queries_logged else connection.make_cursor(raw)


def fetch_all(sql: str, params: Mapping[str, Any], *, using: str = "default") -> list[tuple[Any, ...]]:
    with _cursor(using) as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def fetch_one(sql: str, params: Mapping[str, Any], *, using: str = "default") -> tuple[Any, ...]:
    with _cursor(using) as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        raise LookupError("The statement returned no row.")
    return tuple(row)


def json_value(value: Any) -> Any:
    """A ``jsonb`` column of such a statement as Python: Django's psycopg setup hands it over as text."""
    return json.loads(value) if isinstance(value, str) else value


def json_rows(value: Any) -> list[dict[str, Any]]:
    """A ``jsonb_agg`` column as a list (empty for SQL's ``NULL``)."""
    return [] if value is None else json_value(value)


def moment(value: str | None) -> datetime | None:
    """A time a statement sent as text (``timestamptz::text``), or ``None``."""
    return datetime.fromisoformat(value) if value else None
