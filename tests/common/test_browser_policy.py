"""The headers that hold the browser to our policy, and Django's deployment check on production
settings. (That the pages run under the policy, with no violation, is the browser suite's job:
every browser test fails on a CSP violation.)"""

import os
import re
import secrets
import subprocess
import sys

import pytest
from django.conf import settings

from tests.processes import database_url_for_tests

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, associate):
    client.force_login(associate)
    return client


def directives(header: str) -> dict[str, list[str]]:
    return {name: values for name, *values in (part.split() for part in header.split(";") if part.strip())}


@pytest.mark.parametrize("path", ["/", "/customers/", "/login/", "/me/", "/api/v1/docs/"])
def test_every_page_forbids_inline_code_eval_and_other_origins(signed_in, path):
    response = signed_in.get(path)

    policy = directives(response["Content-Security-Policy"])
    assert policy["default-src"] == ["'none'"]
    assert policy["frame-ancestors"] == policy["object-src"] == policy["base-uri"] == ["'none'"]
    for name, values in policy.items():
        assert "'unsafe-inline'" not in values, name
        assert "'unsafe-eval'" not in values, name
        assert not any(re.match(r"https?:|\*", value) for value in values), name
    # Our own files; a nonce only on a page that uses one (none does today).
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]


def test_only_the_scan_page_may_use_the_camera(signed_in, consenting_customer):
    card = signed_in.get(f"/customers/{consenting_customer.public_id}/")["Permissions-Policy"]
    scan = signed_in.get("/customers/scan/")["Permissions-Policy"]

    for denied in ("camera=()", "microphone=()", "geolocation=()"):
        assert denied in card
    assert "camera=(self)" in scan
    assert "microphone=()" in scan


def test_the_deployment_check_on_production_settings_warns_of_nothing(tmp_path):
    env = os.environ | {
        "APP_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "clienteling.example.com",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",  # production has Redis (checked, not used)
        "DATABASE_URL": database_url_for_tests(),  # and two roles
        "MIGRATION_DATABASE_URL": database_url_for_tests(as_owner=True),
        "VAR_DIR": str(tmp_path),  # files go where the operator said (unset, it warns)
        "SMS_BACKEND": "common.sms.HttpSmsBackend",  # texts are sent (a development backend warns)
        "SMS_HTTP_URL": "https://sms.example.com/messages",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_deployment_check_warns_of_a_per_process_throttle_one_database_role_and_unsent_texts():
    env = {k: v for k, v in os.environ.items() if k not in ("CELERY_BROKER_URL", "CACHE_URL")}
    env.pop("MIGRATION_DATABASE_URL", None)
    env |= {
        "APP_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "x.example",
        "DATABASE_URL": database_url_for_tests(as_owner=True),  # the app as the owner: one role
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert "integrations.W001" in result.stdout + result.stderr
    assert "common.W001" in result.stdout + result.stderr
    assert "common.W002" in result.stdout + result.stderr  # texts written to the log, not sent
    assert "common.W003" in result.stdout + result.stderr  # VAR_DIR left to the working directory
