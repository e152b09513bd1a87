"""A backup restored from before her erasure brings her back; ``replay_erasures`` erases her again. As an
operator does it (README, "Backup and restore"): pg_dump as the owner, pg_restore into an empty
database, migrate, then the command as the app's role, each a process of its own."""

import subprocess
import sys
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from psycopg import sql

from customers.services import NewCustomer, create_customer
from privacy import ledger
from privacy.erasure import erase_customer
from tests.factories import CustomerFactory
from tests.privacy.conftest import FAMILY_NAME, NEEDLES, build_subject
from tests.processes import child_env, database_url_for_tests

NEIGHBOUR = "Marchbanks"  # a customer nobody erased: the restore keeps her, and so does the replay
STEP_TIMEOUT = 120  # seconds for any one step (dump, restore, a command)


def url_of(database: str, *, as_owner: bool = False) -> str:
    """``database_url_for_tests`` for another database of the same server."""
    return f"{database_url_for_tests(as_owner=as_owner).rsplit('/', 1)[0]}/{database}"


def run(*command: str, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        command,
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=STEP_TIMEOUT,
        check=False,
    )
    assert result.returncode == 0, f"{command[:3]} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def counts_in(output: str) -> dict[str, int]:
    pairs = (line.rpartition(": ") for line in output.splitlines())
    return {label: int(number) for label, _, number in pairs if number.isdigit()}


def rows_mentioning(database: str, needles: tuple[str, ...]) -> dict[str, int]:
    """Per table of ``database``, how many rows' text holds one of ``needles`` (case-insensitive)."""
    patterns = [f"%{needle}%" for needle in needles]
    found = {}
    with psycopg.connect(url_of(database, as_owner=True)) as owner:
        tables = owner.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
        ).fetchall()
        for (table,) in tables:
            query = sql.SQL("SELECT count(*) FROM {} t WHERE t::text ILIKE ANY(%s)").format(
                sql.Identifier(table)
            )
            row = owner.execute(query, [patterns]).fetchone()
            if row and row[0]:
                found[table] = row[0]
    return found


@pytest.fixture
def empty_database() -> Iterator[str]:
    """A new, empty database on the test server, dropped afterwards."""
    name = f"{connection.settings_dict['NAME']}_restored_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(url_of("postgres", as_owner=True), autocommit=True) as owner:
        owner.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield name
    finally:
        with psycopg.connect(url_of("postgres", as_owner=True), autocommit=True) as owner:
            owner.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.mark.django_db(transaction=True)
def test_a_backup_restored_from_before_her_erasure_is_erased_again_by_replay_erasures(
    associate, store, grant, tmp_path, erasure_ledger, empty_database
):
    subject = build_subject(by=associate, store=store, grant=grant)
    create_customer(by=None, data=NewCustomer(given_name="Ottoline", family_name=NEIGHBOUR, country="GB"))
    backup = tmp_path / "clienteling.dump"
    run("pg_dump", "--format=custom", f"--file={backup}", f"--dbname={database_url_for_tests(as_owner=True)}")

    erase_customer(subject.customer.pk)  # after the backup: in the ledger, not in the backup
    newcomer = CustomerFactory(family_name=FAMILY_NAME)  # younger than the backup
    erase_customer(newcomer.pk)
    assert [entry.customer_id for entry in ledger.read(erasure_ledger).entries] == [
        subject.customer.pk,
        newcomer.pk,
    ]

    run("pg_restore", "--exit-on-error", f"--dbname={url_of(empty_database, as_owner=True)}", str(backup))
    restored = empty_database
    owner_env = child_env(
        DATABASE_URL=url_of(restored),
        MIGRATION_DATABASE_URL=url_of(restored, as_owner=True),
        ERASURE_LEDGER_PATH=str(erasure_ledger),
    )
    run(sys.executable, "manage.py", "migrate", "--noinput", env=owner_env)
    assert rows_mentioning(restored, NEEDLES)  # the backup brought her back
    app_env = child_env(DATABASE_URL=url_of(restored), ERASURE_LEDGER_PATH=str(erasure_ledger))

    dry = counts_in(run(sys.executable, "manage.py", "replay_erasures", "--dry-run", env=app_env))
    assert (dry["erased again"], dry["already erased"], dry["not found"]) == (1, 0, 1)
    assert rows_mentioning(restored, NEEDLES)  # a dry run changes nothing

    replayed = counts_in(run(sys.executable, "manage.py", "replay_erasures", env=app_env))
    assert (replayed["erased again"], replayed["already erased"], replayed["not found"]) == (1, 0, 1)
    assert rows_mentioning(restored, NEEDLES) == {}
    assert set(rows_mentioning(restored, (NEIGHBOUR,))) == {"customers_customer"}

    again = counts_in(run(sys.executable, "manage.py", "replay_erasures", env=app_env))
    assert (again["erased again"], again["already erased"], again["not found"]) == (0, 1, 1)
