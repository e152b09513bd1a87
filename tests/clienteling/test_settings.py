"""The settings module itself, executed afresh under different environments."""

import re

import pytest
from django.core.exceptions import ImproperlyConfigured

from tests.settings_files import FILES, run_settings

GOOD_KEY = "k" * 64


def load_settings(monkeypatch, **env: str) -> dict:
    """The settings under ``env`` alone: whatever the machine running the suite has set is cleared."""
    names = {
        name
        for file in FILES
        for name in re.findall(r"""env_\w+\(\s*["']([A-Z0-9_]+)["']""", file.read_text())
    }
    for name in names:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return run_settings()


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY must be set"):
        load_settings(monkeypatch, APP_ENV="production", ALLOWED_HOSTS="shop.example")


def test_production_refuses_a_short_or_insecure_secret_key(monkeypatch):
    for key in ("short", "django-insecure-" + "x" * 60):
        with pytest.raises(ImproperlyConfigured, match="SECRET_KEY"):
            load_settings(monkeypatch, APP_ENV="production", ALLOWED_HOSTS="shop.example", SECRET_KEY=key)


def test_production_refuses_to_start_without_allowed_hosts(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="ALLOWED_HOSTS"):
        load_settings(monkeypatch, APP_ENV="production", SECRET_KEY=GOOD_KEY)


def test_production_refuses_debug(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="DEBUG must be false"):
        load_settings(monkeypatch, APP_ENV="production", SECRET_KEY=GOOD_KEY, ALLOWED_HOSTS="a", DEBUG="true")


def test_production_with_a_real_key_and_hosts_is_strict_by_default(monkeypatch):
    settings = load_settings(
        monkeypatch,
        APP_ENV="production",
        SECRET_KEY=GOOD_KEY,
        ALLOWED_HOSTS="shop.example",
        DATABASE_URL="postgres://app@db.internal:5432/clienteling",
    )

    assert settings["DEBUG"] is False
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["CSRF_COOKIE_SECURE"] is True
    assert settings["SECURE_SSL_REDIRECT"] is True
    assert settings["SECURE_HSTS_SECONDS"] > 0
    assert settings["LOG_FORMAT"] == "json"
    assert settings["DATABASES"]["default"]["OPTIONS"]["pool"]["max_size"] == 10


def test_an_unknown_app_env_is_refused(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="APP_ENV must be one of development, production"):
        load_settings(monkeypatch, APP_ENV="staging")


def test_only_postgresql_is_accepted(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="PostgreSQL is the only database"):
        load_settings(monkeypatch, DATABASE_URL="sqlite:///db.sqlite3")


def test_without_database_url_development_uses_the_embedded_server(monkeypatch):
    settings = load_settings(monkeypatch)

    assert settings["DATABASES"]["default"]["ENGINE"] == "common.embedded_postgresql"


def test_without_a_broker_tasks_run_eagerly_and_with_one_they_do_not(monkeypatch):
    assert load_settings(monkeypatch)["CELERY_TASK_ALWAYS_EAGER"] is True

    with_broker = load_settings(monkeypatch, CELERY_BROKER_URL="redis://127.0.0.1:6379/0")
    assert with_broker["CELERY_TASK_ALWAYS_EAGER"] is False
    assert with_broker["CELERY_RESULT_BACKEND"] == "redis://127.0.0.1:6379/0"


def test_an_sms_backend_named_where_it_used_to_live_is_refused_with_its_new_name(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match=r"set common\.sms\.HttpSmsBackend"):
        load_settings(monkeypatch, SMS_BACKEND="clienteling.sms.HttpSmsBackend")


def test_whatsapp_through_the_cloud_api_refuses_to_start_without_its_number_id_and_token(monkeypatch):
    cloud = {"WHATSAPP_BACKEND": "common.whatsapp.HttpWhatsAppBackend"}
    with pytest.raises(ImproperlyConfigured, match="set WHATSAPP_PHONE_NUMBER_ID and WHATSAPP_TOKEN"):
        load_settings(monkeypatch, **cloud, WHATSAPP_TOKEN="t")
    with pytest.raises(ImproperlyConfigured, match="WHATSAPP_PHONE_NUMBER_ID must be"):
        load_settings(monkeypatch, **cloud, WHATSAPP_PHONE_NUMBER_ID="+44 7911 123456", WHATSAPP_TOKEN="t")

    settings = load_settings(
        monkeypatch, **cloud, WHATSAPP_PHONE_NUMBER_ID="106540352242922", WHATSAPP_TOKEN="t"
    )
    assert settings["WHATSAPP_API_URL"].startswith("https://graph.facebook.com/")
    assert load_settings(monkeypatch)["WHATSAPP_BACKEND"] == "common.whatsapp.ConsoleWhatsAppBackend"


def test_whatsapps_answer_window_is_at_most_its_24_hours(monkeypatch):
    assert load_settings(monkeypatch)["WHATSAPP_ANSWER_WINDOW_HOURS"] == 24
    assert load_settings(monkeypatch, WHATSAPP_ANSWER_WINDOW_HOURS="20")["WHATSAPP_ANSWER_WINDOW_HOURS"] == 20
    with pytest.raises(ImproperlyConfigured, match="at most 24"):
        load_settings(monkeypatch, WHATSAPP_ANSWER_WINDOW_HOURS="48")


def test_what_database_url_says_of_the_connection_is_kept_beside_the_pool(monkeypatch):
    settings = load_settings(
        monkeypatch,
        DATABASE_URL="postgres://app@db.internal:5432/clienteling?sslmode=verify-full&options=-c%20work_mem%3D8MB",
    )

    options = settings["DATABASES"]["default"]["OPTIONS"]
    assert options["sslmode"] == "verify-full"
    assert options["pool"]["timeout"] == 3
    assert options["options"].startswith("-c work_mem=8MB ")
    assert "-c jit=off" in options["options"]


def test_without_a_replica_there_is_one_database_and_no_router(monkeypatch):
    settings = load_settings(monkeypatch, DATABASE_URL="postgres://app@db.internal:5432/clienteling")

    assert list(settings["DATABASES"]) == ["default"]
    assert settings["DATABASE_ROUTERS"] == []


def test_a_replica_is_read_as_the_primary_is_and_routed_to(monkeypatch):
    settings = load_settings(
        monkeypatch,
        DATABASE_URL="postgres://app@db.internal:5432/clienteling?sslmode=verify-full",
        DATABASE_REPLICA_URL="postgres://app@replica.internal:5432/clienteling?sslmode=verify-full",
        REPLICA_WAIT_SECONDS="2",
    )

    replica = settings["DATABASES"]["replica"]
    assert (replica["HOST"], replica["USER"]) == ("replica.internal", "app")
    assert replica["OPTIONS"]["sslmode"] == "verify-full"
    assert (
        replica["OPTIONS"]["pool"]["max_size"]
        == settings["DATABASES"]["default"]["OPTIONS"]["pool"]["max_size"]
    )
    assert replica["OPTIONS"]["pool"]["timeout"] == 2  # no longer than a heavy read waits for it
    assert "-c jit=off" in replica["OPTIONS"]["options"]
    assert replica["TEST"] == {"MIRROR": "default"}
    assert settings["DATABASE_ROUTERS"] == ["common.replica.ReplicaRouter"]


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DATABASE_REPLICA_URL": "postgres://app@replica/clienteling"}, "needs DATABASE_URL"),
        (
            {
                "DATABASE_URL": "postgres://app@db/clienteling",
                "DATABASE_REPLICA_URL": "postgres://app@r/other",
            },
            "must name the same database",
        ),
        (
            {
                "DATABASE_URL": "postgres://app@db/clienteling",
                "DATABASE_REPLICA_URL": "mysql://app@r/clienteling",
            },
            "DATABASE_REPLICA_URL must be a postgres:// URL",
        ),
    ],
)
def test_a_replica_that_cannot_be_the_primarys_is_refused(monkeypatch, env, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        load_settings(monkeypatch, **env)


def test_in_development_the_site_answers_at_the_address_its_links_point_at(monkeypatch):
    settings = load_settings(monkeypatch, PUBLIC_BASE_URL="http://192.168.1.20:8300")

    assert settings["PUBLIC_BASE_URL"] == "http://192.168.1.20:8300"
    assert settings["ALLOWED_HOSTS"] == ["127.0.0.1", "localhost", "[::1]", "192.168.1.20"]
    assert load_settings(monkeypatch)["ALLOWED_HOSTS"] == ["127.0.0.1", "localhost", "[::1]"]
    ipv6 = load_settings(monkeypatch, PUBLIC_BASE_URL="http://[fd00::2]:8300")
    assert ipv6["ALLOWED_HOSTS"][-1] == "[fd00::2]"


def test_hosts_set_by_hand_and_production_hosts_are_never_widened_by_the_links_address(monkeypatch):
    by_hand = load_settings(
        monkeypatch, PUBLIC_BASE_URL="http://192.168.1.20:8300", ALLOWED_HOSTS="demo.local"
    )
    production = load_settings(
        monkeypatch,
        APP_ENV="production",
        SECRET_KEY=GOOD_KEY,
        ALLOWED_HOSTS="shop.example",
        PUBLIC_BASE_URL="https://join.shop.example",
    )

    assert by_hand["ALLOWED_HOSTS"] == ["demo.local"]
    assert production["ALLOWED_HOSTS"] == ["shop.example"]


def test_a_public_base_url_that_is_not_a_web_address_is_refused(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="PUBLIC_BASE_URL must be an http"):
        load_settings(monkeypatch, PUBLIC_BASE_URL="192.168.1.20:8300")


def test_development_prints_e_mails_readably_and_production_sends_them(monkeypatch):
    development = load_settings(monkeypatch)["MAILERS"]["default"]
    production = load_settings(monkeypatch, APP_ENV="production", SECRET_KEY=GOOD_KEY, ALLOWED_HOSTS="a")

    assert development["BACKEND"] == "common.mail.ReadableConsoleBackend"
    assert production["MAILERS"]["default"]["BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("IMPORT_STORE_COUNTRY", "UK1", "IMPORT_STORE_COUNTRY must be an ISO 3166 country code such as GB"),
        ("IMPORT_STORE_CURRENCY", "£", "IMPORT_STORE_CURRENCY must be an ISO 4217 currency code such as GBP"),
        ("IMPORT_STORE_TIMEZONE", "London", "IMPORT_STORE_TIMEZONE must be an IANA time zone"),
        ("IMPORT_ONLINE_CURRENCY", "eur", "IMPORT_ONLINE_CURRENCY must be an ISO 4217 currency code"),
    ],
)
def test_where_an_import_makes_its_stores_must_be_a_real_country_currency_and_time_zone(
    monkeypatch, name, value, message
):
    with pytest.raises(ImproperlyConfigured, match=message):
        load_settings(monkeypatch, **{name: value})


def test_an_import_makes_its_stores_in_the_uk_unless_told(monkeypatch):
    settings = load_settings(monkeypatch, IMPORT_STORE_TIMEZONE="Europe/Dublin")

    assert (
        settings["IMPORT_STORE_COUNTRY"],
        settings["IMPORT_STORE_CURRENCY"],
        settings["IMPORT_STORE_TIMEZONE"],
    ) == ("GB", "GBP", "Europe/Dublin")


@pytest.mark.parametrize("value", ["reply@shop.example", "shop", "-shop.example", "reply shop.example"])
def test_a_reply_domain_that_is_not_a_domain_is_refused(monkeypatch, value):
    with pytest.raises(ImproperlyConfigured, match="CONVERSATION_REPLY_DOMAIN must be a domain name"):
        load_settings(monkeypatch, CONVERSATION_REPLY_DOMAIN=value)


def test_the_reply_domain_is_read_in_lower_case_and_is_unset_unless_told(monkeypatch):
    assert load_settings(monkeypatch)["CONVERSATION_REPLY_DOMAIN"] == ""
    assert (
        load_settings(monkeypatch, CONVERSATION_REPLY_DOMAIN="Reply.Shop.Example")[
            "CONVERSATION_REPLY_DOMAIN"
        ]
        == "reply.shop.example"
    )
