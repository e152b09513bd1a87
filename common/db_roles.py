"""Least privilege in the database: two roles.

- The **owner** owns the schema. Migrations run as the owner, and so do the few jobs that rebuild
  tables (the demo seed drops and rebuilds indexes). Its connection is ``MIGRATION_DATABASE_URL``
  (``settings.DATABASE_OWNER``); with the embedded server it is the server's own superuser.
- The **runtime** role is what the app runs as: web, workers and beat (``DATABASE_URL``; with the
  embedded server, ``clienteling_app``, made on start). It reads and writes rows, and nothing more:
  it owns no table, so it cannot ALTER, DROP or disable a trigger, and it has no TRUNCATE anywhere.
  On the append-only tables (``append_only``: the audit trail, the consent ledger) it may only read
  and insert; the one change allowed to an audit event, erasure taking flagged topics out of its
  details, goes through a function the owner defined for exactly that (``audit_forget_keys``).

Every ``migrate`` ends by granting the runtime role what it may do on every table, so a new table is
never left out (``grant_runtime``). The append-only tables refuse TRUNCATE by trigger as well, which
holds the owner to it too, unless a session says ``clienteling.allow_truncate`` (the test suite's
flush between tests, run as the owner).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import connections, models
from psycopg import sql

_APPEND_ONLY: list[type[models.Model]] = []
CREDENTIALS = ("USER", "PASSWORD", "HOST", "PORT")


def append_only(model: type[models.Model]) -> None:
    """Register ``model``'s table as append-only: the runtime role may read and insert, nothing else."""
    if model not in _APPEND_ONLY:
        _APPEND_ONLY.append(model)


def append_only_tables() -> list[str]:
    return sorted(model._meta.db_table for model in _APPEND_ONLY)


def runtime_role(using: str = "default") -> str:
    """The role the app runs as (while ``as_owner`` is in force too)."""
    connection = connections[using]
    runtime = getattr(connection, "_runtime_credentials", None) or connection.settings_dict
    return str(runtime.get("USER") or "")


def roles_are_split(using: str = "default") -> bool:
    """Whether the app runs as a role of its own, not as the owner of its tables."""
    owner: dict[str, Any] = settings.DATABASE_OWNER or {}
    return bool(owner) and owner.get("USER") != runtime_role(using)


@contextmanager
def as_owner(using: str = "default", *, required: bool = True) -> Iterator[None]:
    """Run the block on ``using``'s database as the owner (a no-op when the roles are not split, or
    already inside such a block). The connection is closed on the way in and out, so it may not be
    in a transaction: a block of work as the owner is its own. Inside one, ``required=False`` runs
    the block as the role at hand (for work the owner only speeds up)."""
    connection = connections[using]
    if not roles_are_split(using) or getattr(connection, "_runtime_credentials", None):
        yield
        return
    if connection.in_atomic_block:
        if not required:
            yield
            return
        raise RuntimeError("Switching to the owner role closes the connection: not inside a transaction.")
    runtime = {key: connection.settings_dict.get(key) for key in CREDENTIALS}
    owner: dict[str, Any] = settings.DATABASE_OWNER or {}
    options = dict(connection.settings_dict.get("OPTIONS") or {})
    _reconnect(connection)
    connection.settings_dict.update({key: owner.get(key, runtime[key]) for key in CREDENTIALS})
    connection.settings_dict["OPTIONS"] = {key: value for key, value in options.items() if key != "pool"}
    connection._runtime_credentials = runtime  # type: ignore[attr-defined]
    try:
        yield
    finally:
        _reconnect(connection)
        connection.settings_dict.update(runtime)  # the database's name stays as the block left it
        connection.settings_dict["OPTIONS"] = options
        connection._runtime_credentials = None  # type: ignore[attr-defined]


def _reconnect(connection: Any) -> None:
    connection.close()
    if hasattr(connection, "close_pool"):
        connection.close_pool()


def grant_runtime(using: str = "default") -> None:
    """As the owner: give the runtime role what it may do, on every table there is now."""
    if not roles_are_split(using):
        return
    role = sql.Identifier(runtime_role(using))
    statements = [
        sql.SQL("GRANT CONNECT, TEMPORARY ON DATABASE {} TO {}").format(
            sql.Identifier(connections[using].settings_dict["NAME"]), role
        ),
        sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(role),
        sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {}").format(role),
        sql.SQL("REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA public FROM {}").format(role),
        sql.SQL("GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {}").format(role),
        sql.SQL("GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO {}").format(role),
    ]
    with connections[using].cursor() as cursor:
        # On a database nobody has migrated yet there are no tables: migrate grants again after.
        existing = set(connections[using].introspection.table_names(cursor))
        statements += [
            sql.SQL("REVOKE INSERT, UPDATE, DELETE ON django_migrations FROM {}").format(role)
            for table in ["django_migrations"]
            if table in existing
        ]
        statements += [
            sql.SQL("REVOKE UPDATE, DELETE ON {} FROM {}").format(sql.Identifier(table), role)
            for table in append_only_tables()
            if table in existing
        ]
        for statement in statements:
            cursor.execute(statement)


def create_runtime_role(role: str, password: str | None, using: str = "default") -> bool:
    """As the owner: make the runtime role (or give it a new password); True if it was made. It may
    sign in and nothing else: no superuser, no new databases or roles, no replication."""
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT rolsuper OR rolreplication OR rolbypassrls FROM pg_roles WHERE rolname = %s", [role]
        )
        found = cursor.fetchone()
        exists = found is not None
        # Naming SUPERUSER, REPLICATION or BYPASSRLS at all in an ALTER takes a superuser, which the
        # owner need not be (CREATEROLE is enough otherwise): they are named to take them away only.
        attributes = "LOGIN NOCREATEDB NOCREATEROLE"
        if not exists or found[0]:
            attributes += " NOSUPERUSER NOREPLICATION NOBYPASSRLS"
        verb = "ALTER" if exists else "CREATE"
        statement = sql.SQL(verb + " ROLE {} " + attributes).format(sql.Identifier(role))
        if password:
            statement = sql.SQL("{} PASSWORD {}").format(statement, sql.Literal(password))
        cursor.execute(statement)
    return not exists
