"""The API throttle counts once for every web process: two real gunicorn workers behind one port,
sharing Redis, accept the token's rate and not twice it."""

import json
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis

from integrations.services import issue_token
from tests.faults import own_redis
from tests.gunicorn import gunicorn

pytestmark = pytest.mark.django_db(transaction=True)

RATE = 30


def _post(url: str, token: str) -> int:
    assert url.startswith("http://127.0.0.1:")
    request = urllib.request.Request(  # noqa: S310 - a local http URL
        url,
        data=json.dumps([]).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


def test_two_workers_accept_the_rate_once_between_them(tmp_path, redis_url):
    _, token = issue_token(name="Till system", resources=["stock"], stores=[], all_stores=True)
    prefix = f"throttle-test-{tmp_path.name}"
    store = redis.Redis.from_url(redis_url)
    env = {
        "CACHE_URL": redis_url,
        "CACHE_KEY_PREFIX": prefix,
        "API_THROTTLE_RATE": f"{RATE}/hour",
    }
    try:
        with gunicorn(tmp_path, workers=2, **env) as server, ThreadPoolExecutor(max_workers=6) as pool:
            answers = list(pool.map(lambda _: _post(f"{server.url}/api/v1/stock/", token), range(3 * RATE)))
            pids = {line["pid"] for line in server.wait_for_access_lines(3 * RATE)}
        counts = list(store.scan_iter(f"{prefix}*"))
        assert counts
        assert all(store.ttl(key) > 0 for key in counts)  # every count ends with its window
    finally:
        for key in store.scan_iter(f"{prefix}*"):
            store.delete(key)

    assert len(pids) == 2, "both workers served requests"
    assert answers.count(200) == RATE
    assert answers.count(429) == 2 * RATE


def test_with_its_redis_away_the_api_keeps_working_uncounted_and_says_so(tmp_path):
    _, token = issue_token(name="Till system", resources=["stock"], stores=[], all_stores=True)
    with own_redis() as cache_server:
        env = {"CACHE_URL": cache_server.url, "API_THROTTLE_RATE": "2/hour", "DEBUG": "false"}
        with gunicorn(tmp_path, workers=1, **env) as server:
            url = f"{server.url}/api/v1/stock/"
            assert [_post(url, token) for _ in range(3)] == [200, 200, 429]

            cache_server.stop()

            assert [_post(url, token) for _ in range(3)] == [200, 200, 200]
            with urllib.request.urlopen(f"{server.url}/healthz", timeout=60) as health:  # noqa: S310
                counters = json.loads(health.read())["counters"]
            assert counters == {"api_throttle_failed_open": 3}
            assert "API throttle off" in server.log.read_text()
