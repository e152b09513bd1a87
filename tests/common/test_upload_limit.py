"""A form carrying a file past UPLOAD_MAX_BYTES is a 413 before anything reads it (the campaign pages'
tests show the form's side); other bodies keep their own, larger limits: inbound mail's 10 MiB."""

import json

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db


@override_settings(UPLOAD_MAX_BYTES=1024 * 1024)
def test_a_webhooks_json_past_the_form_limit_reaches_its_own_checks(client):
    body = json.dumps({"From": "zoe@example.com", "TextBody": "x" * (2 * 1024 * 1024)})

    response = client.post("/mail/inbound/", body, content_type="application/json")

    assert response.status_code == 403  # unsigned, as the webhook itself says; not the form's 413


@override_settings(UPLOAD_MAX_BYTES=1024 * 1024)
def test_a_form_with_a_file_past_it_is_refused_whoever_posts_it(client):
    body = b"--x\r\nContent-Disposition: form-data; name=f; filename=a.csv\r\n\r\n" + b"a" * (2 * 1024 * 1024)

    response = client.post("/login/", body, content_type="multipart/form-data; boundary=x")

    assert response.status_code == 413
