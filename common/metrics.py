"""What the app counts, for Prometheus (``/metrics``, ``common.prometheus``), and its counters of
degraded operation.

Every metric the app exports is defined here, so an operator finds them all in one place (README,
"Metrics"). Labels are names from a short, fixed list (a route's name, a task's, a channel), never a
path, an id or anything a person typed.

Counters of degraded operation, per process: how often the app carried on without a part (the API
throttle without its cache, a request refused while the database was away, a heavy read sent to the
primary because the replica was away, behind or failed under it: ``common.replica``). ``/healthz``
reports this process's, ``/metrics`` every process's (``clienteling_degraded_operations_total``),
and each is also logged as it starts."""

import os
import threading
from collections import Counter as Tally
from pathlib import Path

from prometheus_client import Counter, Gauge, Histogram

if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):  # multiprocess mode: each process writes its files there
    Path(os.environ["PROMETHEUS_MULTIPROC_DIR"]).mkdir(parents=True, exist_ok=True)

_counts: Tally[str] = Tally()
_lock = threading.Lock()

DEGRADED = Counter(
    "clienteling_degraded_operations_total",
    "Times the app carried on without a part (the same counters as /healthz, from every process).",
    ["event"],
)


def increment(name: str, by: int = 1) -> None:
    with _lock:
        _counts[name] += by
    DEGRADED.labels(event=name).inc(by)


def snapshot() -> dict[str, int]:
    with _lock:
        return dict(_counts)


# Requests (common.request_metrics). A route is its URL pattern's name (``tablet:card``), never the path.
UNRESOLVED = "<unresolved>"
STATIC = "<static>"
REQUEST_SECONDS = Histogram(
    "clienteling_http_request_duration_seconds",
    "Time to answer a request, by route name, method and status class.",
    ["route", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
REQUEST_QUERIES = Histogram(
    "clienteling_http_request_db_queries",
    "Database queries a request ran, by route name.",
    ["route"],
    buckets=(0, 1, 2, 5, 10, 20, 30, 50, 100, 200, 500),
)

# Celery tasks (common.task_metrics): outcomes from Celery's signals, in whichever process ran them.
TASKS = Counter(
    "clienteling_celery_tasks_total",
    "Tasks finished, by task name and outcome (success, failure, retry).",
    ["task", "outcome"],
)
TASK_SECONDS = Histogram(
    "clienteling_celery_task_duration_seconds",
    "Time a task ran, by task name.",
    ["task"],
    buckets=(0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 1800, 3600),
)

# The suggestions refresh (suggestions.refresh: the full run, batch by batch; suggestions.incremental).
REFRESHES = Counter(
    "clienteling_suggestion_refreshes_total",
    "Suggestion refreshes that ended, by kind (full, incremental) and outcome (done, failed).",
    ["kind", "outcome"],
)
REFRESH_SECONDS = Histogram(
    "clienteling_suggestion_refresh_duration_seconds",
    "From a refresh's start (a full run's fit included) to its end, by kind.",
    ["kind"],
    buckets=(1, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200),
)
REFRESHED_CUSTOMERS = Counter(
    "clienteling_suggestion_customers_refreshed_total",
    "Customers whose suggestions were recomputed, by kind (a full run counts each batch as it is written).",
    ["kind"],
)
REFRESH_BATCHES = Counter("clienteling_suggestion_batches_total", "Batches of full runs written.")
LAST_REFRESH = Gauge(
    "clienteling_suggestion_last_refresh_timestamp_seconds",
    "When the last refresh of this kind finished (Unix time).",
    ["kind"],
    multiprocess_mode="max",
)
LAST_REFRESH_CUSTOMERS = Gauge(
    "clienteling_suggestion_last_refresh_customers",
    "Customers the last finished refresh of this kind recomputed.",
    ["kind"],
    multiprocess_mode="mostrecent",
)


def refresh_finished(*, kind: str, outcome: str, seconds: float, customers: int, at: float) -> None:
    """A refresh ended: ``at`` is its end (Unix time); ``customers`` counts only when it is done."""
    REFRESHES.labels(kind=kind, outcome=outcome).inc()
    if outcome != "done":
        return
    REFRESH_SECONDS.labels(kind=kind).observe(max(seconds, 0.0))
    LAST_REFRESH.labels(kind=kind).set(at)
    LAST_REFRESH_CUSTOMERS.labels(kind=kind).set(customers)


# Outreach (outreach.delivery): each try at sending a message.
MESSAGE_DELIVERIES = Counter(
    "clienteling_message_deliveries_total",
    "Tries at sending a message, by channel and outcome (sent, retry, failed, cancelled, waiting).",
    ["channel", "outcome"],
)
# Conversations (outreach.receipts, integrations.inbound): receipts and provider webhooks.
MESSAGE_RECEIPTS = Counter(
    "clienteling_message_receipts_total",
    "Delivery receipts from providers, by reported status and outcome (applied, ignored: late or twice).",
    ["status", "outcome"],
)
INBOUND_WEBHOOKS = Counter(
    "clienteling_inbound_webhooks_total",
    "Calls of the providers' webhooks, by provider and outcome (accepted, duplicate, refused: why).",
    ["provider", "outcome"],
)

# Abuse: the integration API's throttle (integrations.auth), sign-in locks (accounts).
API_THROTTLED = Counter(
    "clienteling_api_throttled_total", "Integration API requests refused over API_THROTTLE_RATE (429)."
)
SIGN_IN_LOCKOUTS = Counter(
    "clienteling_sign_in_lockouts_total",
    "Sign-in tries refused by a lock, the one that starts it included (password, pin, tablet_pin).",
    ["method"],
)
