"""Integration systems calling the API with their tokens."""

import json
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from integrations.models import Resource
from integrations.services import issue_token
from stores.models import Store

Call = Callable[..., Any]


@pytest.fixture(autouse=True)
def fresh_throttle_counts() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def token_for(db: None) -> Callable[..., str]:
    """A token's secret: ``token_for(["stock"], stores=[store])``; every resource and store by default."""

    def _issue(
        resources: Sequence[str] = tuple(Resource.values),
        *,
        stores: Sequence[Store] = (),
        all_stores: bool | None = None,
    ) -> str:
        _, secret = issue_token(
            name="Test system",
            resources=resources,
            stores=stores,
            all_stores=not stores if all_stores is None else all_stores,
        )
        return secret

    return _issue


@pytest.fixture
def post(client: Client) -> Call:
    """POST a JSON body to /api/v1/<endpoint>/ with a token; returns the response (``.json()``)."""

    def _post(endpoint: str, body: Any, *, token: str | None, raw: bytes | None = None) -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        data = raw if raw is not None else json.dumps(body)
        return client.post(
            f"/api/v1/{endpoint}/", data=data, content_type="application/json", headers=headers
        )

    return _post


def statuses(response: Any) -> list[str]:
    return [r["status"] for r in response.json()["results"]]


@pytest.fixture
def catalogue(post, token_for):
    token = token_for(["categories", "products"])
    post("categories", [{"code": "tops", "name": "Tops"}], token=token)
    post(
        "products",
        [
            {
                "sku": "BLZ-1",
                "name": "Linen blazer",
                "category": "tops",
                "price": "420.00",
                "variants": [{"sku": "BLZ-1-S", "size": "S"}],
            },
            {"sku": "TEE-1", "name": "Tee", "category": "tops", "price": "40.00"},
        ],
        token=token,
    )


def sale(external_id="T-1", *, store="london", customer=None, lines=None, **extra):
    lines = (
        lines
        if lines is not None
        else [
            {
                "line_number": 1,
                "product": "BLZ-1",
                "variant": "BLZ-1-S",
                "quantity": 1,
                "unit_price": "420.00",
                "amount": "420.00",
            },
            {"line_number": 2, "product": "TEE-1", "quantity": 2, "unit_price": "40.00", "amount": "80.00"},
        ]
    )
    return {
        "channel": "store",
        "external_id": external_id,
        "store": store,
        "placed_at": "2026-11-20T14:05:00+00:00",
        "currency": "GBP",
        "total_amount": "500.00",
        "customer": customer,
        "lines": lines,
    } | extra
