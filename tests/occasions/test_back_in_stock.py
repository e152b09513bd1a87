"""Back in stock in her size: a stock update that takes a product from none to some at a store makes
an occasion for the store's clients who wished for it in that size (or any) or liked it, through the
outbox on a real worker; not for another size, another store's clients, a sensitive product, one
still in stock, or a customer without consent to suggestions; once a day however many sizes return;
in a bulk update, asked for the variants that come back only."""

import json
import time

import pytest
from django.test import Client
from django.utils import timezone

from catalog.models import StockLevel
from catalog.services import save_category, set_stock
from common.models import OutboxTask
from consent.models import ConsentState, PurposeCode
from integrations.services import issue_token
from occasions.models import Kind, Occasion
from occasions.stock import back_in_stock
from outreach.looks import add_to_wishlist
from suggestions.models import Feedback
from tests.factories import CustomerFactory, ProductFactory, VariantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def dress(db: None):  # type: ignore[no-untyped-def]
    product = ProductFactory(name="Linen dress")
    return product, {
        size: VariantFactory(product=product, sku=f"DRESS-{size}", size=size) for size in ("38", "40")
    }


def test_her_wish_in_her_size_comes_back(her, store, associate, dress):
    product, sizes = dress
    add_to_wishlist(customer=her, product_id=product.pk, by=associate, store=store, size="38")

    assert back_in_stock(store.pk, [sizes["40"].pk]) == 0  # not her size
    assert back_in_stock(store.pk, [sizes["38"].pk, sizes["40"].pk]) == 1
    assert back_in_stock(store.pk, [sizes["38"].pk]) == 0  # once a day

    occasion = Occasion.objects.get()
    assert (occasion.kind, occasion.product, occasion.owner, occasion.detail) == (
        Kind.BACK_IN_STOCK,
        product,
        associate,
        {"size": "38"},
    )


def test_a_liked_suggestion_counts_in_any_size(her, store, dress):
    product, sizes = dress
    Feedback.objects.create(customer=her, product=product, kind=Feedback.Kind.LIKED, at=timezone.now())

    assert back_in_stock(store.pk, [sizes["40"].pk]) == 1


def test_not_for_another_stores_clients_nor_without_consent_to_suggestions(
    her, store, other_store, associate, dress, grant
):
    product, sizes = dress
    elsewhere = CustomerFactory(home_store=other_store)
    grant(elsewhere, store=other_store)
    add_to_wishlist(customer=elsewhere, product_id=product.pk, by=associate, store=other_store)
    add_to_wishlist(customer=her, product_id=product.pk, by=associate, store=store)
    ConsentState.objects.filter(customer=her, purpose_id=PurposeCode.SUGGESTIONS).update(granted=False)

    assert back_in_stock(store.pk, [sizes["38"].pk]) == 0


def test_never_a_sensitive_product(her, store, associate):
    pharmacy = save_category(code="pharmacy", name="Pharmacy", sensitive=True, sensitive_label="health item")
    pills = ProductFactory(name="Vitamins", category=pharmacy)
    variant = VariantFactory(product=pills, sku="VIT-1")
    Feedback.objects.create(customer=her, product=pills, kind=Feedback.Kind.LIKED, at=timezone.now())

    assert back_in_stock(store.pk, [variant.pk]) == 0


def _stock(client: Client, token: str, store, sku: str, quantity: int) -> None:  # type: ignore[no-untyped-def]
    response = client.post(
        "/api/v1/stock/",
        data=json.dumps([{"store": store.code, "variant": sku, "quantity": quantity}]),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.content


def test_a_bulk_update_asks_for_the_variants_that_come_back_only(client, store):
    came_back, more, still_none, new_none, new_some = VariantFactory.create_batch(5)
    set_stock(store=store, variant=came_back, quantity=0)
    set_stock(store=store, variant=more, quantity=2)
    set_stock(store=store, variant=still_none, quantity=0)
    _, token = issue_token(name="Stock system", resources=["stock"], stores=[], all_stores=True)

    response = client.post(
        "/api/v1/stock/",
        data=json.dumps(
            [
                {"store": store.code, "variant": variant.sku, "quantity": quantity}
                for variant, quantity in [
                    (came_back, 4),
                    (more, 6),
                    (still_none, 0),
                    (new_none, 0),
                    (new_some, 1),
                ]
            ]
        ),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )

    assert [r["status"] for r in response.json()["results"]] == [
        "updated",
        "updated",
        "unchanged",
        "created",
        "created",
    ]
    asked = OutboxTask.objects.filter(name="occasions.back_in_stock").order_by("pk")
    assert [task.args for task in asked] == [[store.pk, [came_back.pk]], [store.pk, [new_some.pk]]]


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_stock_update_through_the_api_makes_it_on_a_real_worker(
    celery_worker, client, her, store, associate, dress
):
    product, sizes = dress
    add_to_wishlist(customer=her, product_id=product.pk, by=associate, store=store, size="38")
    _, token = issue_token(name="Stock system", resources=["stock"], stores=[], all_stores=True)

    _stock(client, token, store, "DRESS-38", 0)  # none on hand: nothing yet
    _stock(client, token, store, "DRESS-38", 3)  # back: the worker makes her occasion
    deadline = time.monotonic() + 30
    while not Occasion.objects.filter(kind=Kind.BACK_IN_STOCK).exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    _stock(client, token, store, "DRESS-38", 5)  # more of it: not "back"

    occasion = Occasion.objects.get(kind=Kind.BACK_IN_STOCK)
    assert (occasion.customer, occasion.store, occasion.product) == (her, store, product)
    assert StockLevel.objects.get(variant=sizes["38"]).quantity == 5
    assert OutboxTask.objects.filter(name="occasions.back_in_stock").count() == 1  # asked for once
