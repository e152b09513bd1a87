"""The database away and back, on a PostgreSQL of the test's own behind a real gunicorn: a quick 503
with Retry-After (never a 500, never a wait on the pool), health that answers and says so, a
liveness endpoint that does not care, and a clean recovery with no broken connection used."""

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import psycopg
import pytest

from tests.faults import OwnPostgres, own_postgres, wait_for
from tests.gunicorn import gunicorn

ROOT = Path(__file__).resolve().parents[2]
RUNTIME = "postgres://clienteling_app:outage-test@127.0.0.1:{port}/clienteling"


def prepare(server: OwnPostgres) -> str:
    """The app's database on ``server``, made as production makes it; returns the app's URL."""
    with psycopg.connect(server.owner_url(), autocommit=True) as admin:
        admin.execute("CREATE DATABASE clienteling")
    runtime = RUNTIME.format(port=server.port)
    env = {key: value for key, value in os.environ.items() if key not in ("CI",)}
    env |= {"DATABASE_URL": runtime, "MIGRATION_DATABASE_URL": server.owner_url("clienteling")}
    for command in (["create_runtime_role"], ["migrate", "--noinput", "-v0"]):
        subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True, timeout=300)
    return runtime


def get(url: str) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body (bounded: a hang fails the test, not the suite)."""
    assert url.startswith("http://127.0.0.1:")
    request = urllib.request.Request(url, headers={"Authorization": "Bearer clk_0badcafe_not-a-real-secret"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - local
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.mark.django_db(transaction=True)
def test_the_database_away_is_a_quick_503_and_back_is_business_as_usual(tmp_path):
    with own_postgres() as database:
        runtime = prepare(database)
        with gunicorn(tmp_path, DATABASE_URL=runtime, DEBUG="false") as server:  # as in production
            api = f"{server.url}/api/v1/stores/"
            assert get(api)[0] == 401  # the token is looked up in the database: it answers
            assert get(f"{server.url}/healthz")[0] == 200

            database.crash()

            status, headers, body = get(api)  # waits for the pool (DATABASE_POOL_TIMEOUT), no more
            assert status == 503, server.log.read_text()[-6000:]
            assert headers["Retry-After"] == "10"
            assert "briefly unavailable" in json.loads(body)["detail"]

            status, headers, body = get(f"{server.url}/me/")  # a person's page, meanwhile
            assert status == 503
            assert headers["Retry-After"] == "10"
            assert b"Back in a moment" in body

            status, _, body = get(f"{server.url}/healthz")
            assert status == 503
            health = json.loads(body)
            assert health["checks"]["database"]["ok"] is False
            # The first request found the database away; the next was answered without waiting.
            assert health["counters"] == {"database_unavailable_answers": 1, "database_resting_answers": 1}
            assert get(f"{server.url}/livez")[0] == 200

            database.start()

            wait_for(lambda: get(f"{server.url}/healthz")[0] == 200, timeout=60, what="health")
            wait_for(lambda: get(api)[0] != 503, timeout=60, what="the rest to end")
            statuses = [get(api)[0] for _ in range(10)]
            assert statuses == [401] * 10  # no connection the restart broke is handed out
