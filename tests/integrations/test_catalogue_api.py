"""Stores, categories, products and stock over the bulk API: create, re-send, update, partial
failure, scope, and bad payloads."""

import json
from decimal import Decimal

import pytest

from catalog.models import Category, Product, ProductVariant, StockLevel
from stores.models import Store
from tests.integrations.conftest import statuses

pytestmark = pytest.mark.django_db

PARIS = {
    "code": "paris",
    "name": "Paris Marais",
    "country": "FR",
    "timezone": "Europe/Paris",
    "currency": "EUR",
}
TREE = [
    {"code": "women", "name": "Women"},
    {"code": "tops", "name": "Tops", "parent_code": "women"},
    {"code": "pharmacy", "name": "Pharmacy", "sensitive": True, "sensitive_label": "health item"},
    {"code": "vitamins", "name": "Vitamins", "parent_code": "pharmacy"},
]
BLAZER = {
    "sku": "BLZ-1",
    "name": "Linen blazer",
    "category": "tops",
    "brand": "Acne Studios",
    "price": "420.00",
    "variants": [
        {"sku": "BLZ-1-NAVY-S", "colour": "Navy", "size": "S"},
        {"sku": "BLZ-1-NAVY-M", "colour": "Navy", "size": "M"},
    ],
}


def test_stores_are_created_then_unchanged_when_sent_again_then_updated(post, token_for):
    token = token_for()

    first = post("stores", [PARIS], token=token)
    again = post("stores", [PARIS], token=token)
    renamed = post("stores", [PARIS | {"name": "Paris Rivoli"}], token=token)

    assert first.status_code == 200
    assert first.json() == {
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "accepted": 0,
        "errors": 0,
        "results": [{"index": 0, "key": "paris", "status": "created"}],
    }
    assert statuses(again) == ["unchanged"]
    assert statuses(renamed) == ["updated"]
    assert Store.objects.get(code="paris").name == "Paris Rivoli"


def test_bad_items_get_field_messages_and_the_good_ones_around_them_are_kept(post, token_for):
    items = [
        PARIS,
        PARIS | {"code": "lyon", "timezone": "Europe/Nowhere"},
        {"code": "nice", "name": "Nice"},
        "not an object",
        PARIS | {"code": "bordeaux", "name": "Bordeaux"},
    ]

    response = post("stores", items, token=token_for())

    body = response.json()
    assert response.status_code == 200
    assert statuses(response) == ["created", "error", "error", "error", "created"]
    assert body["errors"] == 3
    assert "timezone" in body["results"][1]["errors"]
    assert set(body["results"][2]["errors"]) == {"country", "timezone", "currency"}
    assert body["results"][3]["key"] is None
    assert set(Store.objects.values_list("code", flat=True)) == {"paris", "bordeaux"}


def test_a_token_for_one_store_may_not_write_another_nor_create_stores(store, other_store, post, token_for):
    token = token_for(["stores", "stock"], stores=[store])
    london = {
        "code": "london",
        "name": "London W1",
        "country": "GB",
        "timezone": "Europe/London",
        "currency": "GBP",
    }

    lyon = PARIS | {"code": "lyon", "name": "Lyon"}

    response = post("stores", [london, london | {"code": other_store.code}, lyon], token=token)

    assert statuses(response) == ["updated", "error", "error"]
    assert response.json()["results"][1]["errors"] == {"code": ["This token may not write this store."]}
    other_store.refresh_from_db()
    assert other_store.name != "London W1"
    assert not Store.objects.filter(code="lyon").exists()


def test_categories_build_a_tree_whose_sensitive_flag_reaches_the_children(post, token_for):
    response = post("categories", TREE, token=token_for(["categories"]))

    assert statuses(response) == ["created"] * 4
    vitamins = Category.objects.get(code="vitamins")
    assert vitamins.parent.code == "pharmacy"
    assert vitamins.is_sensitive
    assert vitamins.masked_as == "health item"
    assert not Category.objects.get(code="tops").is_sensitive
    assert statuses(post("categories", TREE, token=token_for(["categories"]))) == ["unchanged"] * 4


def test_a_category_with_an_unknown_parent_or_a_loop_is_refused(post, token_for):
    token = token_for(["categories"])
    post("categories", TREE, token=token)

    response = post(
        "categories",
        [
            {"code": "shoes", "name": "Shoes", "parent_code": "menswear"},
            {"code": "women", "name": "W", "parent_code": "tops"},
        ],
        token=token,
    )

    assert statuses(response) == ["error", "error"]
    assert "menswear" in response.json()["results"][0]["errors"]["parent_code"][0]
    assert response.json()["results"][1]["errors"] == {
        "parent_code": ["A category cannot be its own ancestor."]
    }
    assert Category.objects.get(code="women").parent is None


def test_products_with_variants_are_created_unchanged_and_updated(post, token_for):
    token = token_for()
    post("categories", TREE, token=token)

    created = post("products", [BLAZER], token=token)
    again = post("products", [BLAZER], token=token)
    repriced = post("products", [BLAZER | {"price": "390.00"}], token=token)
    new_size = post(
        "products",
        [BLAZER | {"price": "390.00", "variants": [{"sku": "BLZ-1-NAVY-L", "colour": "Navy", "size": "L"}]}],
        token=token,
    )

    assert statuses(created) == ["created"]
    assert statuses(again) == ["unchanged"]
    assert statuses(repriced) == ["updated"]
    assert statuses(new_size) == ["updated"]
    blazer = Product.objects.get(sku="BLZ-1")
    assert blazer.price == Decimal("390.00")
    assert blazer.brand.name == "Acne Studios"
    assert sorted(blazer.variants.values_list("size", flat=True)) == ["L", "M", "S"]  # unlisted ones are kept


def test_a_product_whose_variant_belongs_to_another_product_is_refused_whole(post, token_for):
    token = token_for()
    post("categories", TREE, token=token)
    post("products", [BLAZER], token=token)
    thief = {
        "sku": "SHIRT-1",
        "name": "Poplin shirt",
        "category": "tops",
        "price": "120.00",
        "variants": [{"sku": "SHIRT-1-S", "size": "S"}, {"sku": "BLZ-1-NAVY-S", "size": "XS"}],
    }

    response = post("products", [thief, BLAZER | {"category": "nowhere"}], token=token)

    assert statuses(response) == ["error", "error"]
    assert response.json()["results"][0]["errors"] == {
        "variants.1.sku": ["This variant SKU belongs to another product."]
    }
    assert "category" in response.json()["results"][1]["errors"]
    assert not Product.objects.filter(sku="SHIRT-1").exists()  # nothing half-written
    assert not ProductVariant.objects.filter(sku="SHIRT-1-S").exists()


def test_nested_field_errors_name_the_variant(post, token_for):
    token = token_for()
    post("categories", TREE, token=token)

    response = post("products", [BLAZER | {"price": "-1", "variants": [{"sku": ""}]}], token=token)

    errors = response.json()["results"][0]["errors"]
    assert set(errors) == {"price", "variants.0.sku"}


def test_a_products_picture_comes_from_the_retailers_image_server_only(post, token_for, settings):
    settings.PRODUCT_IMAGE_ORIGINS = ["https://images.example.com"]
    token = token_for()
    post("categories", TREE, token=token)
    picture = "https://images.example.com/blz-1/front.jpg?w=480"

    created = post("products", [BLAZER | {"image_url": picture}], token=token)
    kept = post("products", [BLAZER | {"price": "400.00"}], token=token)  # no image_url: kept
    refused = post(
        "products",
        [
            BLAZER | {"image_url": "http://images.example.com/blz-1.jpg"},
            BLAZER | {"image_url": "https://tracker.example.net/pixel.gif"},
            BLAZER | {"image_url": 'https://images.example.com/x.jpg" onerror="alert(1)'},
        ],
        token=token,
    )

    assert statuses(created) == ["created"]
    assert statuses(kept) == ["updated"]
    assert Product.objects.get(sku="BLZ-1").image_url == picture
    assert statuses(refused) == ["error", "error", "error"]
    errors = [r["errors"]["image_url"] for r in refused.json()["results"]]
    assert errors == [
        ["The picture's URL must be an https URL."],
        [
            "The picture's URL must be on one of PRODUCT_IMAGE_ORIGINS (https://images.example.com), "
            "not https://tracker.example.net."
        ],
        ["The picture's URL is not a plain URL."],
    ]
    assert Product.objects.get(sku="BLZ-1").image_url == picture  # nothing half-written

    removed = post("products", [BLAZER | {"price": "400.00", "image_url": ""}], token=token)
    assert statuses(removed) == ["updated"]
    assert Product.objects.get(sku="BLZ-1").image_url == ""


def test_stock_levels_are_set_within_the_tokens_stores_only(store, other_store, post, token_for):
    post("categories", TREE, token=token_for())
    post("products", [BLAZER], token=token_for())
    token = token_for(["stock"], stores=[store])

    response = post(
        "stock",
        [
            {"store": "london", "variant": "BLZ-1-NAVY-S", "quantity": 3},
            {"store": other_store.code, "variant": "BLZ-1-NAVY-S", "quantity": 9},
            {"store": "london", "variant": "NOPE", "quantity": 1},
            {"store": "london", "variant": "BLZ-1-NAVY-M", "quantity": -2},
        ],
        token=token,
    )

    assert statuses(response) == ["created", "error", "error", "error"]
    assert response.json()["results"][0]["key"] == "london/BLZ-1-NAVY-S"
    assert response.json()["results"][1]["errors"] == {"store": ["This token may not write this store."]}
    assert list(StockLevel.objects.values_list("store__code", "quantity")) == [("london", 3)]
    update = post("stock", [{"store": "london", "variant": "BLZ-1-NAVY-S", "quantity": 0}], token=token)
    assert statuses(update) == ["updated"]


def test_a_stock_item_costs_five_statements(store, post, token_for, django_assert_num_queries):
    post("categories", TREE, token=token_for())
    post("products", [BLAZER], token=token_for())
    token = token_for(["stock"])
    sizes = [{"store": "london", "variant": v["sku"], "quantity": 2} for v in BLAZER["variants"]]
    post("stock", sizes, token=token)

    # The token and its stores, then each item's savepoint, store, variant, the write that also
    # reads what there was, and release (a variant back in stock asks the outbox: 3 more).
    with django_assert_num_queries(2 + 5 * len(sizes)):
        response = post("stock", [size | {"quantity": 3} for size in sizes], token=token)

    assert statuses(response) == ["updated", "updated"]


@pytest.mark.parametrize(
    ("raw", "status", "message"),
    [
        (b"{not json", 400, "JSON parse error"),
        (json.dumps({"code": "paris"}).encode(), 400, "Send a JSON list of items."),
        (json.dumps([PARIS] * 4).encode(), 400, "At most 3 items per request; this one has 4."),
        (json.dumps([PARIS | {"address": "x" * 2000}]).encode(), 413, "larger than 2,048 bytes"),
    ],
)
def test_a_malformed_or_oversized_payload_is_a_clear_4xx_and_writes_nothing(
    post, token_for, settings, raw, status, message
):
    settings.API_BULK_LIMIT = 3
    settings.API_MAX_BODY_BYTES = 2048

    response = post("stores", None, token=token_for(), raw=raw)

    assert response.status_code == status
    assert message in response.json()["detail"]
    assert not Store.objects.filter(code="paris").exists()


def test_the_same_key_twice_in_one_payload_is_created_then_updated(post, token_for):
    response = post("stores", [PARIS, PARIS | {"name": "Paris 2"}], token=token_for())

    assert statuses(response) == ["created", "updated"]
    assert Store.objects.get(code="paris").name == "Paris 2"


def test_replenishment_is_said_per_category_or_product_or_left_to_be_learnt(post, token_for):
    token = token_for()
    pantry = {"code": "pantry", "name": "Pantry", "replenishable": True, "replenish_after_days": 14}
    tea = {"code": "tea", "name": "Tea", "parent_code": "pantry"}

    categories = post("categories", [{"code": "tops", "name": "Tops"}, pantry, tea], token=token)
    products = post(
        "products",
        [
            BLAZER,
            {"sku": "TEA-1", "name": "Breakfast tea", "category": "tea", "price": "4.00"},
            {"sku": "COAT-1", "name": "Wool coat", "category": "tops", "price": "90", "replenishable": False},
        ],
        token=token,
    )
    refused = post(
        "categories", [{"code": "coats", "name": "Coats", "replenish_after_days": 30}], token=token
    )

    assert statuses(categories) == ["created"] * 3
    assert statuses(products) == ["created", "created", "created"]
    said = {c.code: (c.replenishable, c.replenish_after_days) for c in Category.objects.all()}
    assert said == {"tops": (None, None), "pantry": (True, 14), "tea": (None, None)}
    assert dict(Product.objects.values_list("sku", "replenishable")) == {
        "BLZ-1": None,  # nothing said: learnt from the sales
        "TEA-1": None,  # its category's word (pantry's, above tea) applies
        "COAT-1": False,
    }
    assert refused.json()["errors"] == 1
    assert "Only with replenishable: true" in json.dumps(refused.json())
