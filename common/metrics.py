"""Counters of degraded operation, per process: how often the app carried on without a part (the API
throttle without its cache, a request refused while the database was away, a heavy read sent to the
primary because the replica was away, behind or failed under it: ``common.replica``). ``/healthz``
reports them, and each is also logged as it starts, so a log-based alert can count them across
processes."""

import threading
from collections import Counter

_counts: Counter[str] = Counter()
_lock = threading.Lock()


def increment(name: str, by: int = 1) -> None:
    with _lock:
        _counts[name] += by


def snapshot() -> dict[str, int]:
    with _lock:
        return dict(_counts)
