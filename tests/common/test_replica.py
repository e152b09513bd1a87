"""Heavy reads on a real streaming replica (common/replica.py): a primary and a hot standby of the
test's own (Debian's PostgreSQL binaries), the app's schema migrated onto the primary as production
does it, and the app run in processes of its own configured from the environment, as the runtime
role, with ``DATABASE_REPLICA_URL`` set. The routed reads run on the standby, see the writes they
depend on (waiting for replay, or on the primary when replay is held up), and fall back to the
primary when the standby is away; writes never reach it.

The ``child_*`` functions run in those processes (``in_app``) and report what they saw as JSON."""

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.db import connections, transaction

from common import metrics
from common.replica import REPLICA, ReplicaRouter, heavy_read, on_replica, primary_position, read_connection
from tests.faults import OwnPostgres, OwnReplica, streaming_pair, wait_for

ROOT = Path(__file__).resolve().parents[2]
RUNTIME = "postgres://clienteling_app:replica-test@127.0.0.1:{port}/clienteling"


@pytest.fixture(scope="module")
def pair() -> Iterator[tuple[OwnPostgres, OwnReplica, dict[str, str]]]:
    """The pair, the app's database on it, and the environment of a process of the app using both."""
    with streaming_pair() as (primary, replica):
        with psycopg.connect(primary.owner_url(), autocommit=True) as admin:
            admin.execute("CREATE DATABASE clienteling")
        drop = {"CI", "MIGRATION_DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL", "DATABASE_REPLICA_URL"}
        env = {key: value for key, value in os.environ.items() if key not in drop}
        env |= {
            "DJANGO_SETTINGS_MODULE": "clienteling.settings",
            "DATABASE_URL": RUNTIME.format(port=primary.port),
            "DATABASE_REPLICA_URL": RUNTIME.format(port=replica.port),
            # Bounds, not paces: no healthy standby of this test is ever that far behind.
            "REPLICA_WAIT_SECONDS": "30",
            "REPLICA_MAX_LAG_SECONDS": "3600",
        }
        # As production deploys: the owner makes the runtime role and migrates, a replica configured
        # (the migrations go to the primary alone; the standby refuses any write).
        owner = env | {"MIGRATION_DATABASE_URL": primary.owner_url("clienteling")}
        for command in (["create_runtime_role"], ["migrate", "--noinput", "-v0"]):
            subprocess.run(
                [sys.executable, "manage.py", *command], cwd=ROOT, env=owner, check=True, timeout=300
            )
        caught_up(primary, replica)
        yield primary, replica, env


def caught_up(primary: OwnPostgres, replica: OwnReplica) -> None:
    with psycopg.connect(primary.owner_url(), autocommit=True) as admin:
        row = admin.execute("SELECT pg_current_wal_lsn()::text").fetchone()
    assert row is not None
    wait_for(lambda: replica.has_replayed(row[0]), timeout=60, what="the standby to replay the primary")


def in_app(env: dict[str, str], child: Callable[[], dict[str, Any]], **extra: str) -> dict[str, Any]:
    """Run ``child`` in a process of the app under ``env`` and ``extra``; what it returned."""
    code = (
        "import django, json, sys; django.setup(); from tests.common import test_replica; "
        "print(json.dumps(getattr(test_replica, sys.argv[1])()))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, child.__name__],
        cwd=ROOT, env=env | extra, capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-4000:]
    return dict(json.loads(done.stdout.splitlines()[-1]))


def test_a_heavy_read_runs_on_the_replica_and_sees_the_write_before_it(pair):
    _, _, env = pair

    seen = in_app(env, child_reads_on_the_replica)

    assert seen["in_recovery"] is True  # the connection the routed reads use is the standby's
    assert seen["figures_ran_on"] == ["replica"]
    assert seen["primary_asked"] == ["SELECT pg_current_wal_lsn()::text"]  # its position, nothing else
    assert seen["outreach"] == seen["outreach_on_the_primary"]  # with the call logged just before
    assert seen["counters"] == {}  # no fallback


def test_a_read_that_depends_on_a_write_sees_it_even_while_replay_is_held_up(pair):
    primary, replica, env = pair
    replica.replay_pause()
    try:
        seen = in_app(env, child_reads_while_replay_is_paused, REPLICA_WAIT_SECONDS="1")
    finally:
        replica.replay_resume()

    # The dashboard waited for the standby, then read from the primary: the message is counted.
    assert seen["outreach"] == seen["outreach_on_the_primary"]
    assert seen["counters"] == {"replica_fallback_behind": 3}
    # Told nothing depends on a write, a read takes the standby as it is, and misses it...
    assert (seen["as_it_is"], seen["as_it_is_sees"]) == ("replica", False)
    # ...unless the standby is further behind than allowed, or the read names the write's position.
    assert (seen["bounded_lag"], seen["bounded_lag_sees"]) == ("default", True)
    assert (seen["after_the_write"], seen["after_the_write_sees"]) == ("default", True)

    caught_up(primary, replica)
    again = in_app(env, child_reads_on_the_replica)
    assert again["figures_ran_on"] == ["replica"]
    assert again["outreach"] == again["outreach_on_the_primary"]


def test_writes_and_reads_in_a_transaction_stay_on_the_primary(pair):
    _, _, env = pair

    seen = in_app(env, child_writes_inside_a_routed_block)

    assert seen["chosen"] == "replica"
    assert seen["read_from"] == seen["her_read_from"] == "replica"
    assert seen["in_a_transaction"] == "default"
    assert seen["saved_name"] == seen["updated_city"] == "written"  # a standby would have refused both
    assert seen["after_the_block"] == "default"  # a row read on the standby is read again on the primary
    assert seen["migrate"] == {"default": True, "replica": False}


def test_a_replica_away_or_failing_under_a_read_leaves_reads_on_the_primary_without_an_error(pair):
    primary, replica, env = pair

    failed = in_app(env, child_a_read_the_replica_fails_under)
    replica.crash()
    try:
        away = in_app(env, child_reads_with_the_replica_away, REPLICA_WAIT_SECONDS="1")
    finally:
        replica.start()
        caught_up(primary, replica)

    assert failed == {"ran_on_a_standby": False, "counters": {"replica_fallback_failed": 1}}
    assert away["outreach"] == away["outreach_again"] == away["outreach_on_the_primary"]
    assert away["breach_rows"] >= 1
    # The first read found it away; the next ones did not try it again (left alone for a while).
    assert away["counters"] == {"replica_fallback_away": 3}


def test_without_a_replica_routed_reads_are_the_primarys_and_ask_nothing_of_it():
    """This test may not touch the database (no ``db`` fixture): any query would fail it."""
    assert REPLICA not in connections.settings

    with on_replica(fresh=True) as alias:
        assert alias == "default"
        assert read_connection() is connections["default"]
    assert heavy_read(lambda: "read")() == "read"
    assert primary_position() is None


# --- In the app's own processes, with a replica configured ------------------------------------------


def _cast() -> tuple[Any, Any, Any]:
    """A store, its manager and a customer of the store (made once, on the primary)."""
    from accounts.models import Role, User
    from customers.models import Customer
    from tests.factories import CustomerFactory, StoreFactory, UserFactory

    store = StoreFactory(code="replica", name="Replica Row")
    manager = User.objects.filter(username="maya").first() or UserFactory(
        username="maya", role=Role.MANAGER, stores=[store]
    )
    customer = Customer.objects.filter(home_store=store).first() or CustomerFactory(home_store=store)
    return store, manager, customer


def _outreach_on_the_primary(manager: Any, store: Any) -> int:
    from relationships.models import Interaction

    kinds = [Interaction.Kind.CALL, Interaction.Kind.MESSAGE]
    return Interaction.objects.filter(associate=manager, store=store, kind__in=kinds).count()


def _outreach_of(manager: Any, store: Any) -> int:
    from django.utils import timezone

    from managers.figures import Period, figures

    now = timezone.now()
    period = Period(start=now - timedelta(days=1), end=now + timedelta(days=1), window_days=14)
    return next((a.outreach for a in figures([store.pk], period).associates if a.user.pk == manager.pk), 0)


def child_reads_on_the_replica() -> dict[str, Any]:
    from relationships.services import log_interaction

    store, manager, customer = _cast()
    log_interaction(by=manager, customer=customer, store=store, kind="call")
    ran: list[tuple[str, str]] = []

    def spy(alias: str) -> Callable[..., Any]:
        def record(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
            ran.append((alias, sql))
            return execute(sql, params, many, context)

        return record

    with (
        connections["default"].execute_wrapper(spy("default")),
        connections[REPLICA].execute_wrapper(spy(REPLICA)),
    ):
        outreach = _outreach_of(manager, store)
    with on_replica(fresh=True), read_connection().cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        in_recovery = cursor.fetchone()[0]
    return {
        "in_recovery": in_recovery,
        "figures_ran_on": sorted({alias for alias, sql in ran if "relationships_interaction" in sql}),
        "primary_asked": [sql for alias, sql in ran if alias == "default"],
        "outreach": outreach,
        "outreach_on_the_primary": _outreach_on_the_primary(manager, store),
        "counters": metrics.snapshot(),
    }


def child_reads_while_replay_is_paused() -> dict[str, Any]:
    from django.conf import settings

    from relationships.models import Interaction
    from relationships.services import log_interaction

    store, manager, customer = _cast()
    message = log_interaction(by=manager, customer=customer, store=store, kind="message")
    written = primary_position()
    assert written is not None

    def received() -> bool:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute("SELECT pg_last_wal_receive_lsn() >= %s::pg_lsn", [written])
            return bool(cursor.fetchone()[0])

    wait_for(received, timeout=60, what="the standby to receive the write (it may not replay it)")

    def sees(alias: str) -> dict[str, Any]:
        return {"alias": alias, "sees": Interaction.objects.filter(pk=message.pk).exists()}

    outreach = _outreach_of(manager, store)
    with on_replica() as alias:
        as_it_is = sees(alias)
    settings.REPLICA_MAX_LAG_SECONDS = 0  # its replay stands still while WAL arrives: it lags
    with on_replica() as alias:
        bounded = sees(alias)
    with on_replica(after=written) as alias:
        after = sees(alias)
    return {
        "outreach": outreach,
        "outreach_on_the_primary": _outreach_on_the_primary(manager, store),
        "as_it_is": as_it_is["alias"],
        "as_it_is_sees": as_it_is["sees"],
        "bounded_lag": bounded["alias"],
        "bounded_lag_sees": bounded["sees"],
        "after_the_write": after["alias"],
        "after_the_write_sees": after["sees"],
        "counters": metrics.snapshot(),
    }


def child_writes_inside_a_routed_block() -> dict[str, Any]:
    from django.db import router

    from customers.models import Customer
    from stores.models import Store

    store, _, customer = _cast()
    with on_replica(fresh=True) as chosen:
        row = Store.objects.get(pk=store.pk)
        read_from = row._state.db
        row.name = "written"
        row.save()
        Store.objects.filter(pk=store.pk).update(city="written")
        with transaction.atomic():
            in_a_transaction = Store.objects.get(pk=store.pk)._state.db
        her = Customer.objects.get(pk=customer.pk)
    on_primary = Store.objects.get(pk=store.pk)
    return {
        "chosen": chosen,
        "read_from": read_from,
        "her_read_from": her._state.db,
        "in_a_transaction": in_a_transaction,
        "saved_name": on_primary.name,
        "updated_city": on_primary.city,
        "after_the_block": router.db_for_read(Customer, instance=her),
        "migrate": {
            alias: ReplicaRouter().allow_migrate(alias, "customers") for alias in ("default", REPLICA)
        },
    }


@heavy_read
def _dies_on_a_standby() -> bool:
    """Whether it ran on a standby; there, its connection is cut under it (as a restart would)."""
    with read_connection().cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        standby = bool(cursor.fetchone()[0])
        if standby:
            cursor.execute("SELECT pg_terminate_backend(pg_backend_pid())")
    return standby


def child_a_read_the_replica_fails_under() -> dict[str, Any]:
    return {"ran_on_a_standby": _dies_on_a_standby(), "counters": metrics.snapshot()}


def child_reads_with_the_replica_away() -> dict[str, Any]:
    from django.utils import timezone

    from privacy.breach import accessed_customers
    from relationships.services import log_interaction

    store, manager, customer = _cast()
    log_interaction(by=manager, customer=customer, store=store, kind="call")
    rows = accessed_customers(actor=manager, since=None, until=timezone.now())
    return {
        "outreach": _outreach_of(manager, store),
        "outreach_again": _outreach_of(manager, store),
        "outreach_on_the_primary": _outreach_on_the_primary(manager, store),
        "breach_rows": len(rows),
        "counters": metrics.snapshot(),
    }
