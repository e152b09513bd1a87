"""The OpenAPI schema, checked against the running API by schemathesis: whatever it sends (valid or
not, within the schema's shapes), no 5xx, and every answer matches the schema."""

import re

import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from clienteling.wsgi import application
from integrations.models import Resource
from integrations.services import issue_token
from tests.factories import CategoryFactory, StoreFactory

# The schema /api/v1/schema/ serves, built in-process (no request, no database at collection time),
# run against the WSGI application itself.
schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
schema.app = application
schema.location = "/api/v1/schema/"


@pytest.fixture
def keep_the_test_connection():
    """As Django's test client does: a request that starts or ends must not close the test's
    connection (the WSGI app is called directly here, inside the test's transaction)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@schema.parametrize()
@hypothesis_settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@pytest.mark.django_db
@pytest.mark.usefixtures("keep_the_test_connection")
def test_the_api_keeps_to_its_schema(case, settings):
    settings.API_THROTTLE_RATE = "100000/minute"
    cache.clear()
    StoreFactory(code="london")
    CategoryFactory(code="tops")
    _, secret = issue_token(name="Schemathesis", resources=Resource.values, all_stores=True)

    case.call_and_validate(
        headers={"Authorization": f"Bearer {secret}"},
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ],
    )


def test_the_schema_and_its_docs_page_are_served_without_a_cdn(client):
    schema_response = client.get("/api/v1/schema/", headers={"Accept": "application/vnd.oai.openapi+json"})
    docs = client.get("/api/v1/docs/").content.decode()

    assert schema_response.status_code == 200
    assert "/api/v1/products/" in schema_response.content.decode()
    assert "drf_spectacular_sidecar" in docs or "/static/" in docs
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", docs)  # nothing from another host
