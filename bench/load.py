"""Mixed associate traffic under load: Locust (headless) against gunicorn, a Celery worker, PostgreSQL
and Redis, all on this machine, at several numbers of concurrent associates.

    timeout -k 60 40m .venv/bin/python bench/load.py                   # 10k demo; 10, 50, 100, 150 associates
    timeout -k 60 20m .venv/bin/python bench/load.py --users 10 --seconds 30

A scratch database of its own, ``bench_load_<pid>_<hex>`` (bench/_scratch.py; ``--db NAME``: that
one, seeded only if it has no customers yet, never dropped if it existed), is seeded with the demo
(seed 42, as of the fixed ``--today``) and ``VACUUM ANALYZE``d. Twenty of its associates get a
session each, and up to 300 of the customers each may see, drawn with the seed; every simulated
associate is one of them, opens cards of her customers (45%), searches names and phone digits (35%,
a POST as the tablet sends it) and looks at My day (20%), waiting 0.5–1.5 s between taps. gunicorn
runs as production runs it (clienteling/gunicorn_conf.py, DEBUG off, ``--workers``), beside one
Celery worker; Locust runs on the same 2 cores. Each level runs ``--seconds`` after a ramp of one
second; the figures are Locust's for that window: requests per second, median and 95th percentile in
ms, failures.

Traffic goes to 127.0.0.1 only; every process this starts is stopped by PID, and the database
dropped (unless ``--keep``, or ``--db`` named one that existed).
Not a test: pytest does not collect it.
"""

import argparse
import csv
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clienteling.settings")
os.environ.setdefault("DEBUG", "false")

import django  # noqa: E402

django.setup()

from _environment import describe  # noqa: E402
from _scratch import (  # noqa: E402
    add_database_options,
    check_database_option,
    database_for,
    exit_cleanly_on_sigterm,
    scratch_database,
)
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from accounts.models import Role, StoreMembership  # noqa: E402
from consent.selectors import customers_visible_to  # noqa: E402
from customers.models import Customer, CustomerIdentifier  # noqa: E402
from demo.generate import seed  # noqa: E402

ASSOCIATES = 20


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def database_url() -> str:
    """The scratch database, for the processes this starts (the app's own credentials)."""
    params = connection.get_connection_params()
    host = quote(str(params.get("host") or "127.0.0.1"), safe="")
    user = quote(str(params.get("user") or "postgres"), safe="")
    password = f":{quote(str(params['password']), safe='')}" if params.get("password") else ""
    return (
        f"postgres://{user}{password}@{host}:{params.get('port') or 5432}/{connection.settings_dict['NAME']}"
    )


def workload(rng: random.Random) -> dict[str, object]:
    """Sessions of twenty associates, each with customers she may see and what she would type."""
    memberships = (
        StoreMembership.objects.filter(user__role=Role.ASSOCIATE, user__is_active=True)
        .select_related("user")
        .order_by("store_id", "user_id")
    )
    associates = []
    for membership in list(memberships)[:ASSOCIATES]:
        user = membership.user
        client = Client(HTTP_HOST="localhost")
        client.force_login(user)
        everyone = list(
            customers_visible_to(user)
            .order_by("pk")
            .values_list("pk", "public_id", "given_name", "family_name")
        )
        visible = rng.sample(everyone, min(300, len(everyone)))  # the same draw every run
        phones = dict(
            CustomerIdentifier.objects.filter(
                customer_id__in=[pk for pk, *_ in visible], kind="phone"
            ).values_list("customer_id", "value")
        )
        queries = [f"{given} {family}" for _, _, given, family in visible[:100]]
        queries += [phone[-4:] for phone in list(phones.values())[:50]]
        associates.append(
            {
                "session": client.cookies["sessionid"].value,
                "customers": [str(public_id) for _, public_id, *_ in visible],
                "queries": queries or ["smith"],
            }
        )
    if not associates:
        raise SystemExit("The demo has no associates.")
    return {
        "associates": associates,
        "csrf": "".join(rng.choice("abcdefghijklmnop0123456789") for _ in range(32)),
    }


def start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("w") as out:
        options = {"cwd": ROOT, "env": env, "stdout": out, "stderr": subprocess.STDOUT}
        return subprocess.Popen(command, start_new_session=True, **options)  # noqa: S603 - our own commands


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def wait_until_listening(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("gunicorn did not start:\n" + log.read_text()[-3000:]) from None
            time.sleep(0.2)


def run_level(
    users: int, seconds: int, url: str, workload_file: Path, out: Path
) -> dict[str, dict[str, str]]:
    prefix = out / f"users{users}"
    locust = shutil.which("locust", path=str(Path(sys.executable).parent)) or "locust"
    subprocess.run(  # noqa: S603 - our own command
        [locust, "-f", str(ROOT / "bench" / "locustfile.py"), "--headless", "--host", url,
         "-u", str(users), "-r", str(users), "--run-time", f"{seconds}s", "--stop-timeout", "10",
         "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING"],
        env={**os.environ, "LOAD_WORKLOAD": str(workload_file)}, check=False, timeout=seconds + 120,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    with (prefix.parent / f"{prefix.name}_stats.csv").open() as handle:
        return {row["Name"]: row for row in csv.DictReader(handle)}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--users", type=int, nargs="+", default=[10, 50, 100, 150])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes (WEB_CONCURRENCY)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--today", type=date.fromisoformat, default=date(2026, 11, 30), help="the demo's today"
    )
    add_database_options(parser)
    args = parser.parse_args()
    check_database_option(parser, args.db, [args.customers])
    exit_cleanly_on_sigterm()
    print(describe())
    print(f"cores: {os.cpu_count()} (gunicorn, a Celery worker, PostgreSQL, Redis and Locust share them)")
    results: dict[int, dict[str, dict[str, str]]] = {}
    database = scratch_database("bench_load", name=database_for(args.db, args.customers), keep=args.keep)
    with database, tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch)
        if not Customer.objects.exists():  # a database named with --db may be seeded already
            print(f"  seeding {args.customers:,} customers ...", flush=True)
            seed(customers=args.customers, seed=args.seed, today=args.today)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        workload_file = out / "workload.json"
        workload_file.write_text(json.dumps(workload(random.Random(args.seed))))
        port = free_port()
        env = {
            **os.environ, "DATABASE_URL": database_url(), "DEBUG": "false",
            "GUNICORN_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": str(args.workers),
        }  # fmt: skip
        env.pop("MIGRATION_DATABASE_URL", None)
        gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
        web = start(
            [gunicorn, "-c", "python:clienteling.gunicorn_conf", "clienteling.wsgi"],
            env,
            out / "gunicorn.log",
        )
        worker = start(
            [sys.executable, "-m", "celery", "-A", "clienteling", "worker", "--concurrency", "1",
             "--loglevel", "WARNING"],
            env, out / "worker.log",
        )  # fmt: skip
        try:
            wait_until_listening(port, web, out / "gunicorn.log")
            for users in args.users:
                print(f"  {users} associates for {args.seconds} s ...", flush=True)
                results[users] = run_level(
                    users, args.seconds, f"http://127.0.0.1:{port}", workload_file, out
                )
        finally:
            stop(web)
            stop(worker)
    print_results(results, args)


def print_results(results: dict[int, dict[str, dict[str, str]]], args: argparse.Namespace) -> None:
    print(
        f"\n=== {args.customers:,} demo customers, gunicorn {args.workers} workers; "
        "Locust, 0.5–1.5 s between taps ==="
    )
    print(
        f"  {'associates':>10} {'req/s':>8} {'median':>8} {'p95':>8} {'failures':>9}"
        "   by request (median / p95 ms)"
    )
    for users, rows in results.items():
        total = rows.get("Aggregated", {})
        parts = [
            f"{name} {row['Median Response Time']}/{row['95%']}"
            for name, row in rows.items()
            if name != "Aggregated"
        ]
        failures = int(total.get("Failure Count", 0) or 0)
        count = int(total.get("Request Count", 0) or 0)
        print(
            f"  {users:>10} {float(total.get('Requests/s', 0) or 0):8.1f}"
            f" {total.get('Median Response Time', '-'):>8} {total.get('95%', '-'):>8}"
            f" {failures:>5} of {count}   " + "; ".join(parts)
        )


if __name__ == "__main__":
    main()
