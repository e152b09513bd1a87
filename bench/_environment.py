"""Where a benchmark's figures were measured, printed before them so no figure travels without it."""

import os
import platform
import subprocess
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def describe(*, database: bool = True) -> str:
    """The date, commit, machine (cores, load average at start), PostgreSQL, Python and Django."""
    load = " ".join(f"{n:.2f}" for n in os.getloadavg())
    return (
        f"measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC at commit {_commit()}; "
        f"{os.cpu_count()} cores, load average {load} (1/5/15 min) at start; "
        f"PostgreSQL {_server_version() if database else 'not used'}; "
        f"Python {platform.python_version()}; Django {_django_version()}"
    )


def _server_version() -> str:
    from django.db import connection

    # The server the benchmark's connection goes to, through its maintenance database: the app's own
    # database need not exist for a benchmark to run.
    with connection._nodb_cursor() as cursor:
        cursor.execute("SHOW server_version")
        return str(cursor.fetchone()[0])


def _django_version() -> str:
    import django

    return django.get_version()


def _commit() -> str:
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607 - git from PATH
            cwd=ROOT, capture_output=True, text=True, check=True, timeout=10,
        ).stdout.strip()  # fmt: skip
        # What the benchmarks write themselves (bench/all.py's results and the README's blocks) is
        # not a change to what is measured.
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no", "--", ".", ":!bench/results", ":!README.md"],  # noqa: S607, E501
            cwd=ROOT, capture_output=True, text=True, check=True, timeout=10,
        ).stdout.strip()  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return "unknown (no git)"
    return f"{head} (with uncommitted changes)" if dirty else head
