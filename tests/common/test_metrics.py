"""Metrics for Prometheus: ``/metrics`` is there only with a token and only for its holder; requests
are timed and their queries counted by route name, never by path; tasks' outcomes are counted from
Celery's signals; in multiprocess mode one scrape adds up every process."""

import pytest
from celery import signals
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent
from common import metrics
from integrations.auth import throttle_failed_open
from outreach import tasks as outreach_tasks
from suggestions import tasks as suggestion_tasks
from suggestions.models import SuggestionBatch
from tests.clienteling.test_settings import load_settings
from tests.metrics import count_in_a_process, counted, samples, value_in
from tests.test_permission_matrix import all_routes

pytestmark = pytest.mark.django_db

TOKEN = "metrics-token-for-the-tests-0123456789"
LATENCY = "clienteling_http_request_duration_seconds"


@pytest.fixture
def token(settings) -> str:  # type: ignore[no-untyped-def]
    settings.METRICS_TOKEN = TOKEN
    return TOKEN


def scrape(client: Client, token: str = TOKEN) -> str:
    response = client.get("/metrics", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.content
    return response.content.decode()


def route_names() -> set[str]:
    return {name for name, _ in all_routes(as_resolved=True)}


# The endpoint


def test_without_a_metrics_token_configured_there_is_no_endpoint(client, settings):
    settings.METRICS_TOKEN = ""

    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 404
    assert client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 404


def test_no_token_or_a_wrong_one_is_refused_and_shown_nothing(client, token):
    answers = [
        client.get("/metrics"),
        client.get("/metrics", headers={"Authorization": "Bearer not-the-token"}),
        client.get("/metrics", headers={"Authorization": f"Bearer {token}x"}),
        client.get("/metrics", headers={"Authorization": f"Basic {token}"}),
    ]

    assert [answer.status_code for answer in answers] == [401] * 4
    assert all(answer["WWW-Authenticate"] == 'Bearer realm="metrics"' for answer in answers)
    assert all(b"clienteling_" not in answer.content for answer in answers)


def test_the_right_token_sees_the_latency_of_a_route_just_requested_under_its_name(
    client, token, associate, consenting_customer
):
    staff = Client()
    staff.force_login(associate)
    card = f"/customers/{consenting_customer.public_id}/"
    before = counted(f"{LATENCY}_count", route="tablet:card", method="GET", status="2xx")

    assert staff.get(card).status_code == 200
    text = scrape(client, token)

    assert value_in(text, f"{LATENCY}_count", route="tablet:card", method="GET", status="2xx") == before + 1
    assert str(consenting_customer.public_id) not in text
    assert card not in text
    labelled = {sample.labels["route"] for sample in samples(text) if "route" in sample.labels}
    assert "tablet:card" in labelled
    assert labelled <= route_names() | {metrics.UNRESOLVED, metrics.STATIC}


def test_a_path_no_route_matches_is_counted_as_unresolved_never_by_its_path(client, token):
    before = counted(f"{LATENCY}_count", route="<unresolved>", method="GET", status="4xx")

    assert client.get("/nothing-here/clk_secret-token-in-a-path/").status_code == 404
    text = scrape(client, token)

    assert value_in(text, f"{LATENCY}_count", route="<unresolved>", method="GET", status="4xx") == before + 1
    assert "secret-token-in-a-path" not in text


@pytest.mark.parametrize("method", ["BREW", "PUT", "OPTIONS", "HEAD"])
def test_any_method_but_get_and_post_is_counted_as_other(client, token, method):
    """Anyone may send any method to any route: a label each would let them multiply the series."""

    def requests(method: str) -> float:
        statuses = ("2xx", "3xx", "4xx", "5xx")
        return sum(counted(f"{LATENCY}_count", route="livez", method=method, status=s) for s in statuses)

    before = requests("other")

    client.generic(method, "/livez")

    assert requests("other") == before + 1
    assert requests(method) == 0


def test_the_scrape_is_refused_through_the_public_proxy_in_clear(client, token):
    refused = client.get(
        "/metrics", headers={"Authorization": f"Bearer {token}", "X-Forwarded-Proto": "http"}
    )

    assert refused.status_code == 404


def test_each_requests_database_queries_are_counted_by_route(associate, consenting_customer):
    staff = Client()
    staff.force_login(associate)
    name = "clienteling_http_request_db_queries"
    before_sum, before_count = (
        counted(f"{name}_sum", route="tablet:card"),
        counted(f"{name}_count", route="tablet:card"),
    )

    with CaptureQueriesContext(connection) as queries:
        assert staff.get(f"/customers/{consenting_customer.public_id}/").status_code == 200

    assert len(queries) > 0
    assert counted(f"{name}_count", route="tablet:card") == before_count + 1
    assert counted(f"{name}_sum", route="tablet:card") == before_sum + len(queries)


def test_the_scrape_is_not_audited_opens_no_session_and_is_not_cached(client, token):
    events = AuditEvent.objects.count()

    response = client.get("/metrics", headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert AuditEvent.objects.count() == events
    assert not response.cookies
    assert "no-store" in response["Cache-Control"]


def test_the_scrape_is_exempt_from_the_https_redirect_like_the_health_checks(client, token, settings):
    settings.SECURE_SSL_REDIRECT = True
    before = counted(f"{LATENCY}_count", route="tablet:my-day", method="GET", status="3xx")

    redirected = client.get("/")
    text = scrape(client, token)

    assert redirected.status_code == 301
    assert redirected["Location"].startswith("https://")
    # Answered before its view ran, the redirect is still counted under its route's name.
    assert value_in(text, f"{LATENCY}_count", route="tablet:my-day", method="GET", status="3xx") == before + 1


def test_degraded_operation_counts_for_healthz_and_for_the_scrape(client, token):
    before = metrics.snapshot().get("api_throttle_failed_open", 0)

    throttle_failed_open(OSError("the cache is away"))
    text = scrape(client, token)

    assert metrics.snapshot()["api_throttle_failed_open"] == before + 1  # what /healthz reports
    assert value_in(text, "clienteling_degraded_operations_total", event="api_throttle_failed_open") >= 1


# Celery tasks, run in this process (the workers' own tests: test_metrics_processes.py)


def test_a_task_that_succeeds_is_counted_and_timed_by_its_name():
    before = counted("clienteling_celery_tasks_total", task="outreach.send_due", outcome="success")
    timed = counted("clienteling_celery_task_duration_seconds_count", task="outreach.send_due")

    outreach_tasks.send_due.delay()

    assert (
        counted("clienteling_celery_tasks_total", task="outreach.send_due", outcome="success") == before + 1
    )
    assert counted("clienteling_celery_task_duration_seconds_count", task="outreach.send_due") == timed + 1


def test_a_task_that_fails_is_counted_as_a_failure():
    before = counted("clienteling_celery_tasks_total", task="suggestions.refresh_batch", outcome="failure")

    result = suggestion_tasks.refresh_batch.apply(args=[0], throw=False)  # no such batch

    assert isinstance(result.result, SuggestionBatch.DoesNotExist)

    after = counted("clienteling_celery_tasks_total", task="suggestions.refresh_batch", outcome="failure")
    assert after == before + 1


def test_a_retry_is_counted_as_a_retry():
    before = counted("clienteling_celery_tasks_total", task="suggestions.refresh_all", outcome="retry")

    signals.task_retry.send(sender=suggestion_tasks.refresh_all, request=None, reason=None, einfo=None)

    assert (
        counted("clienteling_celery_tasks_total", task="suggestions.refresh_all", outcome="retry")
        == before + 1
    )


# Several processes


def test_in_multiprocess_mode_one_scrape_adds_up_every_process(client, token, tmp_path, monkeypatch):
    directory = tmp_path / "metrics"  # made by the first process that counts
    count_in_a_process(directory, finished_at=1_000)
    count_in_a_process(directory, finished_at=2_000)
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(directory))

    text = scrape(client, token)

    assert value_in(text, f"{LATENCY}_count", route="tablet:card", method="GET", status="2xx") == 2
    assert value_in(text, f"{LATENCY}_sum", route="tablet:card", method="GET", status="2xx") == pytest.approx(
        0.4
    )
    assert value_in(text, "clienteling_suggestion_refreshes_total", kind="full", outcome="done") == 2
    assert value_in(text, "clienteling_suggestion_last_refresh_timestamp_seconds", kind="full") == 2_000


# Settings


def test_a_short_metrics_token_is_refused_and_a_file_can_hold_it(monkeypatch, tmp_path):
    with pytest.raises(ImproperlyConfigured, match="METRICS_TOKEN must be at least 24 characters"):
        load_settings(monkeypatch, METRICS_TOKEN="secret")
    secret = tmp_path / "metrics_token"
    secret.write_text(TOKEN + "\n")

    loaded = load_settings(monkeypatch, METRICS_TOKEN_FILE=str(secret), CELERY_METRICS_PORT="9808")

    assert loaded["METRICS_TOKEN"] == TOKEN
    assert (loaded["CELERY_METRICS_PORT"], loaded["CELERY_METRICS_ADDR"]) == (9808, "127.0.0.1")
    assert load_settings(monkeypatch)["CELERY_METRICS_PORT"] == 0  # off
