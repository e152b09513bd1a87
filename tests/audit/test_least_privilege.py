"""Least privilege in the database, proven on the app's own connection: the runtime role reads and
writes rows and nothing more. It cannot empty, alter, drop, or switch off the triggers of the audit
trail and the consent ledger, nor change or delete their rows; the owner meets the triggers too."""

import io
import uuid

import psycopg
import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from psycopg import sql

from audit.models import AuditEvent
from common.db_roles import append_only_tables, as_owner, runtime_role
from consent.models import ConsentEvent

APPEND_ONLY = ["audit_auditevent", "consent_consentevent"]


def run(statement: str) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)


def refused(statement: str, reason: str) -> None:
    with pytest.raises(DatabaseError, match=reason):
        run(statement)


@pytest.fixture
def story(consenting_customer, associate):  # type: ignore[no-untyped-def]
    """An audit event and the ledger's events for a consenting customer."""
    AuditEvent.objects.create(
        occurred_at=timezone.now(), actor=associate, actor_kind="staff", action="customer.viewed",
        customer=consenting_customer,
    )  # fmt: skip
    assert ConsentEvent.objects.filter(customer=consenting_customer).exists()
    return consenting_customer


def test_the_app_runs_as_a_plain_role_of_its_own(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_user, rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls "
            "FROM pg_roles WHERE rolname = current_user"
        )
        role, *powers = cursor.fetchone()

    assert role == runtime_role()
    assert powers == [False, False, False, False, False]
    assert append_only_tables() == APPEND_ONLY


@pytest.mark.parametrize("table", APPEND_ONLY)
@pytest.mark.parametrize(
    ("statement", "reason"),
    [
        ("TRUNCATE {table}", "permission denied"),
        ("TRUNCATE {table} CASCADE", "permission denied"),
        ("UPDATE {table} SET id = id", "permission denied"),
        ("DELETE FROM {table}", "permission denied"),
        ("ALTER TABLE {table} DISABLE TRIGGER ALL", "must be owner"),
        ("ALTER TABLE {table} DISABLE TRIGGER USER", "must be owner"),
        ("ALTER TABLE {table} ADD COLUMN sneaky text", "must be owner"),
        ("DROP TABLE {table}", "must be owner"),
        ("ALTER TABLE {table} OWNER TO CURRENT_USER", "must be owner"),
    ],
)
def test_the_app_cannot_empty_change_or_unguard_an_append_only_table(story, table, statement, reason):
    refused(statement.format(table=table), reason)

    assert AuditEvent.objects.filter(customer=story).exists()
    assert ConsentEvent.objects.filter(customer=story).exists()


@pytest.mark.parametrize(
    ("statement", "reason"),
    [
        ("DROP TRIGGER audit_event_append_only ON audit_auditevent", "must be owner"),
        ("DROP TRIGGER consent_ledger_no_truncate ON consent_consentevent", "must be owner"),
        ("DROP FUNCTION append_only_refuse_truncate() CASCADE", "must be owner"),
        ("CREATE TABLE sneaky (id int)", "permission denied for schema public"),
        ("SET session_replication_role = replica", "permission denied"),
        ("TRUNCATE customers_customer CASCADE", "permission denied"),
        ("CREATE ROLE sneaky", "permission denied"),
        ("INSERT INTO django_migrations (app, name, applied) VALUES ('x', 'y', now())", "permission denied"),
    ],
)
def test_the_app_cannot_change_the_schema_its_guards_or_its_own_powers(db, statement, reason):
    refused(statement, reason)


def test_the_app_reads_and_inserts_rows_of_the_append_only_tables(story):
    assert AuditEvent.objects.filter(customer=story).count() >= 1
    assert ConsentEvent.objects.filter(customer=story).count() >= 1


def test_erasure_takes_flagged_topics_out_through_the_one_function_that_may(db, consenting_customer):
    from audit.data_rights import _scrub_details

    event = AuditEvent.objects.create(
        occurred_at=timezone.now(), actor_kind="staff", action="note.added", customer=consenting_customer,
        detail={"note_id": 7, "flagged_topics": ["health"]},
    )  # fmt: skip

    assert _scrub_details([consenting_customer.pk]) == 1
    assert AuditEvent.objects.get(pk=event.pk).detail == {"note_id": 7}


def test_every_table_of_the_app_is_granted_to_it_and_none_may_be_truncated(db):
    tables = sorted({model._meta.db_table for model in apps.get_models()})
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT t, has_table_privilege(current_user, t, 'SELECT, INSERT'), "
            "has_table_privilege(current_user, t, 'TRUNCATE'), "
            "has_table_privilege(current_user, t, 'UPDATE') "
            "FROM unnest(%s::text[]) AS t",
            [tables],
        )
        rights = {table: (write, truncate, update) for table, write, truncate, update in cursor.fetchall()}

    assert all(write for write, _, _ in rights.values())
    assert not any(truncate for _, truncate, _ in rights.values())
    assert [table for table, (_, _, update) in rights.items() if not update] == APPEND_ONLY


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("table", APPEND_ONLY)
def test_even_the_owner_meets_the_triggers(story, table):
    with as_owner():
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user")
            assert cursor.fetchone()[0] != runtime_role()
        refused(f"TRUNCATE {table} CASCADE", "append-only: TRUNCATE refused")
        refused(f"DELETE FROM {table}", "append-only")

    assert AuditEvent.objects.filter(customer=story).exists()
    assert ConsentEvent.objects.filter(customer=story).exists()


@pytest.mark.django_db(transaction=True)
def test_the_runtime_role_can_be_made_before_the_first_migrate():
    """The documented order on a new database: create_runtime_role, then migrate. The first must not
    need the tables only the second makes."""
    params = connection.get_connection_params()
    owner = settings.DATABASE_OWNER or {}
    server = {"host": params.get("host"), "port": params.get("port"), "dbname": "postgres"}
    server |= {"user": owner.get("USER"), "password": owner.get("PASSWORD")}
    name = f"fresh_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(**server, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    original = connection.settings_dict["NAME"]
    out = io.StringIO()
    try:
        close_connection()
        connection.settings_dict["NAME"] = name
        call_command("create_runtime_role", stdout=out)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT has_database_privilege(%s, current_database(), 'CONNECT')", [runtime_role()]
            )
            assert cursor.fetchone() == (True,)
    finally:
        close_connection()
        connection.settings_dict["NAME"] = original
        with psycopg.connect(**server, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
    assert "granted it its rights" in out.getvalue()


def close_connection() -> None:
    connection.close()
    if hasattr(connection, "close_pool"):
        connection.close_pool()
