"""The cast every test can use, and access to the real services the suite runs against."""

import os
import uuid
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker
from celery.worker import WorkController
from django.test import Client

from accounts.devices import Enrolment, enrol_device
from accounts.models import Role, User
from clienteling.celery import app
from common import sms, whatsapp
from consent.models import ConsentEvent, Method, PolicyVersion, PurposeCode, Verification
from consent.services import ensure_purposes, record_consent
from customers.models import Customer
from stores.models import Store
from tests.factories import CustomerFactory, PolicyVersionFactory, StoreFactory, UserFactory


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:  # type: ignore[no-untyped-def]
    """PBKDF2's deliberate slowness protects real passwords, not test fixtures."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def django_db_setup(  # type: ignore[no-untyped-def]
    request, django_test_environment, django_db_blocker, django_db_keepdb, django_db_createdb
) -> Iterator[None]:
    """pytest-django's test database, made and migrated as the owner role; the tests then run as the
    runtime role, as the app does (``common.db_roles``; ``migrate`` grants it its rights)."""
    from django.test.utils import setup_databases, teardown_databases

    from common.db_roles import as_owner

    verbosity = request.config.option.verbose
    with django_db_blocker.unblock(), as_owner():
        databases = setup_databases(
            verbosity=verbosity, interactive=False, keepdb=django_db_keepdb and not django_db_createdb
        )
    yield
    if not django_db_keepdb:
        with django_db_blocker.unblock(), as_owner():
            teardown_databases(databases, verbosity=verbosity)


@pytest.fixture(autouse=True)
def cache_of_its_own(settings) -> None:  # type: ignore[no-untyped-def]
    """Each test counts (the API throttle) in a cache of its own, whatever CI's Redis holds; the
    shared Redis count is what ``integrations/test_throttle_shared.py`` proves, across real processes."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": uuid.uuid4().hex}
    }


@pytest.fixture(autouse=True)
def erasure_ledger(settings, tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    """Each test's erasures are written to an erasure ledger of its own (``privacy.ledger``), never to
    the checkout's ``var/``; the file appears with the first erasure that commits."""
    path = tmp_path_factory.getbasetemp() / "erasure-ledgers" / f"{uuid.uuid4().hex}.jsonl"
    settings.ERASURE_LEDGER_PATH = path
    return path


@pytest.fixture(autouse=True)
def sms_outbox(settings) -> Iterator[list[sms.SmsMessage]]:  # type: ignore[no-untyped-def]
    """Text messages land in ``common.sms.outbox``, emptied for each test like ``mail.outbox``."""
    settings.SMS_BACKEND = "common.sms.LocmemSmsBackend"
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


@pytest.fixture(autouse=True)
def whatsapp_outbox(settings) -> Iterator[list[whatsapp.WhatsAppMessage]]:  # type: ignore[no-untyped-def]
    """WhatsApp messages land in ``common.whatsapp.outbox``, emptied for each test."""
    settings.WHATSAPP_BACKEND = "common.whatsapp.LocmemWhatsAppBackend"
    whatsapp.outbox.clear()
    yield whatsapp.outbox
    whatsapp.outbox.clear()


@pytest.fixture
def store(db: None) -> Store:
    return StoreFactory(code="london", name="London Marylebone")


@pytest.fixture
def other_store(db: None) -> Store:
    return StoreFactory(
        code="paris", name="Paris Marais", country="FR", timezone="Europe/Paris", currency="EUR"
    )


@pytest.fixture
def associate(store: Store) -> User:
    return UserFactory(username="ava", first_name="Ava", role=Role.ASSOCIATE, stores=[store])


@pytest.fixture
def teammate(store: Store) -> User:
    """Another associate of the same store."""
    return UserFactory(username="ben", first_name="Ben", role=Role.ASSOCIATE, stores=[store])


@pytest.fixture
def outsider(other_store: Store) -> User:
    """An associate of another store."""
    return UserFactory(username="chloe", first_name="Chloé", role=Role.ASSOCIATE, stores=[other_store])


@pytest.fixture
def manager(store: Store) -> User:
    return UserFactory(username="maya", first_name="Maya", role=Role.MANAGER, stores=[store])


@pytest.fixture
def admin_user(db: None) -> User:
    return UserFactory(username="root", role=Role.ADMIN, is_staff=True, is_superuser=True)


@pytest.fixture
def enrolment(store: Store, manager: User) -> Enrolment:
    """A shared tablet the store's manager enrolled: put ``enrolment.cookie`` in a browser's
    ``settings.TABLET_COOKIE`` cookie to make it that tablet."""
    return enrol_device(by=manager, store=store, name="Till 1")


@pytest.fixture
def visitor(client: Client) -> Client:
    """A customer-facing anonymous visitor: nobody signed in."""
    return client


@pytest.fixture
def policy(db: None) -> PolicyVersion:
    ensure_purposes()  # transactional tests flush the rows that migration 0002 installed
    return PolicyVersionFactory()


Grant = Callable[..., list[ConsentEvent]]


@pytest.fixture
def grant(policy: PolicyVersion) -> Grant:
    """Record an opt-in (default: every purpose) through the consent service."""

    def _grant(
        customer: Customer,
        purposes: Sequence[str] = tuple(PurposeCode.values),
        *,
        at: datetime | None = None,
        store: Store | None = None,
    ) -> list[ConsentEvent]:
        return record_consent(
            customer=customer,
            purposes=purposes,
            granted=True,
            policy_version=policy,
            method=Method.QR_IN_STORE,
            verification=Verification.EMAIL_CODE,
            store=store,
            occurred_at=at,
        )

    return _grant


@pytest.fixture
def withdraw(policy: PolicyVersion) -> Grant:
    def _withdraw(
        customer: Customer, purposes: Sequence[str] = tuple(PurposeCode.values), *, at: datetime | None = None
    ) -> list[ConsentEvent]:
        return record_consent(
            customer=customer,
            purposes=purposes,
            granted=False,
            policy_version=policy,
            method=Method.PRIVACY_CENTRE,
            verification=Verification.MAGIC_LINK,
            occurred_at=at,
        )

    return _withdraw


@pytest.fixture
def consenting_customer(store: Store, grant: Grant) -> Customer:
    """A customer of ``store`` who has granted every purpose."""
    customer = CustomerFactory(given_name="Zoë", family_name="Okafor", home_store=store)
    grant(customer, store=store)
    return customer


@pytest.fixture(scope="session")
def redis_url() -> str:
    """A real Redis server. In CI a missing Redis fails the test; elsewhere it says how to get one."""
    import redis

    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        message = f"Redis is not reachable at {url}"
        if os.environ.get("CI"):
            pytest.fail(f"{message}; CI must provide it.")
        pytest.skip(f"{message}: start redis-server or set TEST_REDIS_URL.")
    return url


@pytest.fixture(autouse=True)
def tasks_run_in_process() -> Iterator[None]:
    """Tasks run eagerly in tests, even where CI configures a broker (CELERY_BROKER_URL); a test
    about behaviour on a real worker asks for ``celery_worker``, which switches this off."""
    saved = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = saved


@pytest.fixture
def celery_worker(redis_url: str) -> Iterator[WorkController]:
    """A real Celery worker consuming from a real Redis broker, in a thread of this process."""
    saved = {key: app.conf[key] for key in ("broker_url", "result_backend", "task_always_eager")}
    app.conf.update(broker_url=redis_url, result_backend=redis_url, task_always_eager=False)
    _forget_connections()
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as worker:
            yield worker
    finally:
        app.conf.update(saved)
        _forget_connections()


def _forget_connections() -> None:
    """Drop the broker pool and result backend the app built for another configuration: tests that
    ran tasks eagerly leave an in-memory broker pool and a disabled result backend behind (and
    pytest-django runs transactional tests, such as worker tests, after all the others)."""
    app._pool = None
    app.__dict__.pop("amqp", None)
    app._backend_cache = None
    app._local.__dict__.pop("backend", None)
