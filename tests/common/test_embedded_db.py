"""The default database when DATABASE_URL is unset: a real PostgreSQL started from a wheel."""

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from common import embedded_db
from tests.processes import wait_for

ROOT = Path(__file__).resolve().parents[2]

HOLD = """
import sys
from django.db import connection
from common.db_roles import as_owner
with as_owner(), connection.cursor() as c:  # only the server's superuser may read its settings
    c.execute("SELECT pg_backend_pid(), current_setting('data_directory')")
    print(c.fetchone()[1], flush=True)
    sys.stdin.readline()
"""

QUERY = """
from django.db import connection
from common.db_roles import as_owner
with as_owner(), connection.cursor() as c:
    c.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    c.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
with connection.cursor() as c:  # the app itself, as the role made for it
    c.execute(
        "SELECT unaccent('Zoë Müller'), similarity('Okafor', 'Okafur') > 0.3, "
        "current_database(), current_user"
    )
    print(c.fetchone())
"""


def django_process(data_dir: Path, code: str, **kwargs) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "MIGRATION_DATABASE_URL")}
    env.update(EMBEDDED_POSTGRES_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="clienteling.settings")
    return subprocess.Popen(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        **kwargs,
    )


def wait_until_stopped(pid_file: Path, seconds: float = 15) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not pid_file.exists():
            return True
        time.sleep(0.2)
    return False


def test_embedded_postgres_starts_on_demand_is_shared_and_stops_with_its_last_user(tmp_path):
    data_dir = tmp_path / "pg"
    holder = django_process(data_dir, HOLD, stdin=subprocess.PIPE)
    try:
        assert holder.stdout is not None
        started_in = holder.stdout.readline().strip()
        assert started_in == str(data_dir.resolve()), holder.stderr.read() if holder.stderr else ""

        # A second process joins the running server instead of starting another one.
        second = django_process(data_dir, QUERY)
        out, err = second.communicate(timeout=60)
        assert second.returncode == 0, err
        assert out.strip() == "('Zoe Muller', True, 'clienteling', 'clienteling_app')"
        assert (data_dir / "postmaster.pid").exists(), "the server stopped while still in use"
    finally:
        if holder.stdin:
            try:
                holder.stdin.write("\n")
                holder.stdin.close()
            except BrokenPipeError:  # it already exited; the assertion above says why
                pass
        holder.wait(timeout=30)

    assert holder.returncode == 0
    assert wait_until_stopped(data_dir / "postmaster.pid"), "the server outlived its last user"


@pytest.fixture
def data_dir() -> Iterator[Path]:
    """A data directory outside pytest's own temporary directory: as root the server runs as a user
    of its own, who must reach it, and pytest makes its directory private again whenever a session
    starts. The server is stopped, by force, whatever the test left."""
    directory = Path(tempfile.mkdtemp(prefix="embedded-pg-"))
    yield directory / "pg"
    embedded_db.stop(directory / "pg", force=True)
    shutil.rmtree(directory, ignore_errors=True)


def hold(data_dir: Path) -> subprocess.Popen:
    """A process using the server (started if need be) until its stdin is closed."""
    holder = django_process(data_dir, HOLD, stdin=subprocess.PIPE)
    assert holder.stdout is not None
    assert holder.stdout.readline().strip() == str(data_dir.resolve()), holder.stderr.read()  # type: ignore[union-attr]
    return holder


def kill(process: subprocess.Popen) -> None:
    """SIGKILL: no exit handler runs, so it never takes its name off the server's list of users."""
    process.kill()
    process.wait(timeout=30)


def stop_embedded_db(data_dir: Path) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "MIGRATION_DATABASE_URL")}
    env.update(EMBEDDED_POSTGRES_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="clienteling.settings")
    done = subprocess.run(
        [sys.executable, "manage.py", "stop_embedded_db"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    return done.stdout


def test_a_user_killed_without_a_word_does_not_keep_the_server_running_after_the_last_one(data_dir):
    kill(hold(data_dir))
    assert embedded_db.is_running(data_dir)

    last = django_process(data_dir, QUERY)
    _, err = last.communicate(timeout=60)

    assert last.returncode == 0, err
    wait_for(lambda: not embedded_db.is_running(data_dir), timeout=30, what="the server to stop")


def test_stop_embedded_db_leaves_a_server_in_use_running_and_stops_one_nobody_uses(data_dir):
    holder = hold(data_dir)

    assert f"still used by process {holder.pid}" in stop_embedded_db(data_dir)
    assert embedded_db.is_running(data_dir)

    kill(holder)  # as a server cut short by its parent (runserver's reloader, on Ctrl-C) is

    assert "Stopped the embedded PostgreSQL" in stop_embedded_db(data_dir)
    assert not embedded_db.is_running(data_dir)
    assert "is stopped" in stop_embedded_db(data_dir)
