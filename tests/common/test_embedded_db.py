"""The default database when DATABASE_URL is unset: a real PostgreSQL started from a wheel."""

import os
import subprocess
import sys
import time
from pathlib import Path

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
