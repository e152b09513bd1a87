import pytest
import redis
from django.db import connection

from common.db_roles import as_owner, grant_runtime
from common.models import OutboxTask
from customers.models import Customer
from privacy import tasks
from privacy.services import request_erasure
from tests.faults import wait_for
from tests.privacy.conftest import build_subject, mentions


def redis_contents(url: str) -> str:
    """Every key and value in the test's Redis database (broker queues and task results)."""
    client = redis.Redis.from_url(url)
    dump = []
    for key in client.scan_iter():
        kind = client.type(key).decode()
        if kind == "string":
            value = client.get(key)
        elif kind == "list":
            value = client.lrange(key, 0, -1)
        elif kind == "hash":
            value = client.hgetall(key)
        elif kind == "set":
            value = client.smembers(key)
        elif kind == "zset":
            value = client.zrange(key, 0, -1)
        else:
            value = kind
        dump.append(f"{key!r}={value!r}")
    return "\n".join(dump)


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_erasure_runs_on_a_real_worker_and_leaves_nothing_personal_in_redis(
    celery_worker, redis_url, associate, store, grant
):
    customer = build_subject(by=associate, store=store, grant=grant).customer

    result = tasks.erase_customer.delay(customer.pk)
    outcome = result.get(timeout=30)

    assert type(result).__name__ == "AsyncResult"  # not an eager result
    assert result.state == "SUCCESS"
    assert outcome["customer_id"] == customer.pk
    assert outcome["counts"]["deleted"]["customers_customeridentifier"] == 3
    assert Customer.objects.get(pk=customer.pk).erased_at is not None
    assert mentions(redis_contents(redis_url)) == []


FAIL_ONCE = """
    CREATE SEQUENCE test_fail_once;
    CREATE FUNCTION test_fail_once() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF nextval('test_fail_once') = 1 THEN  -- sequences ignore rollbacks, so this fires once
            RAISE EXCEPTION 'could not serialize access' USING ERRCODE = 'serialization_failure';
        END IF;
        RETURN NEW;
    END $$;
    CREATE TRIGGER test_fail_once BEFORE UPDATE ON customers_customer
        FOR EACH ROW EXECUTE FUNCTION test_fail_once();
"""


@pytest.fixture
def first_erasure_attempt_fails(django_db_blocker):
    with as_owner():  # the app's role may not add a trigger (common/db_roles.py)
        with connection.cursor() as cursor:
            cursor.execute(FAIL_ONCE)
        grant_runtime()  # the trigger's sequence, to the role that fires it
    yield
    with as_owner(), connection.cursor() as cursor:
        cursor.execute(
            "DROP TRIGGER test_fail_once ON customers_customer; DROP FUNCTION test_fail_once(); "
            "DROP SEQUENCE test_fail_once;"
        )


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_database_failure_half_way_is_retried_by_the_worker_until_the_erasure_is_done(
    celery_worker, associate, store, grant, first_erasure_attempt_fails
):
    customer = build_subject(by=associate, store=store, grant=grant).customer

    result = tasks.erase_customer.delay(customer.pk)
    outcome = result.get(timeout=30)

    assert outcome["already_erased"] is False
    customer.refresh_from_db()
    assert customer.erased_at is not None
    assert not customer.identifiers.exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT last_value FROM test_fail_once")
        assert cursor.fetchone() == (2,)  # one failed attempt, one that went through


def test_the_erasure_task_is_acknowledged_late_and_retries_on_database_errors():
    task = tasks.erase_customer

    assert task.acks_late is True
    assert task.max_retries == tasks.RETRY_OPTIONS["max_retries"]
    assert [error.__name__ for error in task.autoretry_for] == ["OperationalError"]


def test_beat_runs_retention_every_night_twenty_minutes_past_the_nightly_hour(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["apply-retention"]

    assert entry["task"] == tasks.apply_retention.name == "privacy.apply_retention"
    assert entry["schedule"].hour == {settings.NIGHTLY_HOUR}
    assert entry["schedule"].minute == {20}


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_an_erasure_asked_for_that_fails_once_is_retried_and_done_once(
    celery_worker, associate, store, grant, first_erasure_attempt_fails
):
    """Through the outbox: the retry Celery publishes after the failure claims the job again (the
    failed run let it go) and finishes it, with no relay and no lease to wait for."""
    customer = build_subject(by=associate, store=store, grant=grant).customer

    request_erasure(customer=customer, by=None, actor_kind="customer")
    job = OutboxTask.objects.get(name="privacy.erase_customer")

    wait_for(lambda: OutboxTask.objects.filter(pk=job.pk, done_at__isnull=False).exists(), what="the job")
    customer.refresh_from_db()
    assert customer.erased_at is not None
    with connection.cursor() as cursor:
        cursor.execute("SELECT last_value FROM test_fail_once")
        assert cursor.fetchone() == (2,)  # one failed attempt, one that went through
    assert OutboxTask.objects.get(pk=job.pk).attempts == 1  # the relay never had to send it again
