"""Metrics across real processes: gunicorn's two workers answer one sum at ``/metrics``, and a Celery
worker's prefork children count on the worker's own port, in prometheus-client's multiprocess mode."""

import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest

from outreach import tasks as outreach_tasks
from suggestions import tasks as suggestion_tasks
from tests.faults import broker, own_redis
from tests.gunicorn import gunicorn
from tests.metrics import count_in_a_process, value_in
from tests.processes import child_env, free_port, wait_for

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

TOKEN = "metrics-token-for-the-process-tests-0123"
ROOT = Path(__file__).resolve().parents[2]
LIVEZ = {"route": "livez", "method": "GET", "status": "2xx"}
LATENCY_COUNT = "clienteling_http_request_duration_seconds_count"
TASKS = "clienteling_celery_tasks_total"


def get(url: str, token: str | None = TOKEN) -> tuple[int, str]:
    assert url.startswith("http://127.0.0.1:")
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - a local http URL
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return int(response.status), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def scrape(url: str) -> str:
    status, text = get(url)
    assert status == 200, text
    return text


def test_two_gunicorn_workers_answer_one_sum_and_a_new_run_forgets_the_last(tmp_path):
    directory = tmp_path / "web-metrics"
    count_in_a_process(directory, finished_at=1_000)  # left over from an earlier run
    env = {"PROMETHEUS_MULTIPROC_DIR": str(directory), "METRICS_TOKEN": TOKEN}

    with gunicorn(tmp_path, workers=2, **env) as server, ThreadPoolExecutor(max_workers=6) as pool:
        sent = 0
        while len({line["pid"] for line in server.access_lines()}) < 2:  # until both have answered
            assert sent < 2000, "one gunicorn worker answered every request"
            assert set(pool.map(lambda _: get(f"{server.url}/livez", None)[0], range(30))) == {200}
            sent += 30
        server.wait_for_access_lines(sent)
        scrapes = [scrape(f"{server.url}/metrics") for _ in range(6)]  # whichever worker answers
        refused = get(f"{server.url}/metrics", token="wrong")[0]

    assert {value_in(text, LATENCY_COUNT, **LIVEZ) for text in scrapes} == {sent}
    assert all(
        value_in(text, LATENCY_COUNT, route="tablet:card", method="GET", status="2xx") is None
        for text in scrapes
    )
    assert all(
        value_in(text, "clienteling_suggestion_refreshes_total", kind="full", outcome="done") is None
        for text in scrapes
    )
    assert refused == 401
    assert "Traceback" not in server.log.read_text()  # the master's hooks ran cleanly, at exits too


@contextmanager
def celery_worker_process(queue: str, *, log: Path, **env: str) -> Iterator[subprocess.Popen[bytes]]:
    """``celery -A clienteling worker`` as production starts it (prefork, two children), in a process
    of its own."""
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "clienteling", "worker", "--pool=prefork",
             "--concurrency=2", "--without-heartbeat", "--without-mingle", "--without-gossip",
             "--loglevel=INFO"],
            cwd=ROOT,
            env=child_env(CELERY_BROKER_URL=queue, CELERY_RESULT_BACKEND=queue, **env),
            start_new_session=True,
            stdout=out,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        wait_for(lambda: "ready." in log.read_text(), timeout=60, what="the worker to start")
        yield process
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def test_a_prefork_worker_counts_its_childrens_tasks_on_its_own_port_behind_the_token(tmp_path):
    port = free_port()
    url = f"http://127.0.0.1:{port}/metrics"
    directory = tmp_path / "worker-metrics"
    env = {
        "PROMETHEUS_MULTIPROC_DIR": str(directory),
        "CELERY_METRICS_PORT": str(port),
        "METRICS_TOKEN": TOKEN,
    }
    log = tmp_path / "worker.log"

    def counted_all() -> bool:
        text = scrape(url)
        succeeded = value_in(text, TASKS, task="outreach.send_due", outcome="success")
        failed = value_in(text, TASKS, task="suggestions.refresh_batch", outcome="failure")
        return succeeded == 4 and failed == 2

    with (
        own_redis() as redis_server,
        broker(redis_server.url),
        celery_worker_process(redis_server.url, log=log, **env) as worker,
    ):
        for _ in range(4):
            outreach_tasks.send_due.delay()
        for _ in range(2):
            suggestion_tasks.refresh_batch.delay(0)  # no such batch: fails
        wait_for(counted_all, timeout=60, what="the tasks' outcomes on the worker's port")
        text = scrape(url)
        refused = get(url, token=None)[0]

    assert value_in(text, "clienteling_celery_task_duration_seconds_count", task="outreach.send_due") == 4
    assert refused == 401
    timed_in = {path.stem.rsplit("_", 1)[1] for path in directory.glob("histogram_*.db")}
    assert timed_in, "the tasks were timed in files of their own processes"
    assert str(worker.pid) not in timed_in, "the tasks ran in the pool's children, not the main process"


def test_a_prefork_worker_without_a_multiprocess_directory_keeps_its_port_closed_and_says_why(tmp_path):
    port = free_port()
    log = tmp_path / "worker.log"
    with (
        own_redis() as redis_server,
        celery_worker_process(redis_server.url, log=log, CELERY_METRICS_PORT=str(port)),
        pytest.raises(urllib.error.URLError),
    ):
        urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5)

    assert "CELERY_METRICS_PORT is ignored" in log.read_text()
