"""Product pictures on the card: beside suggestions, wishes and the lines of her orders, lazily, at a
fixed size; a plain tile where a product has none; never a sensitive product's."""

import pytest
from django.utils import timezone

from catalog.services import save_category
from outreach.models import WishlistItem
from suggestions.models import Suggestion
from tests.factories import OrderFactory, OrderLineFactory, ProductFactory

pytestmark = pytest.mark.django_db


def card_url(customer) -> str:  # type: ignore[no-untyped-def]
    return f"/customers/{customer.public_id}/"


def test_pictures_show_beside_suggestions_wishes_and_bought_lines_but_never_a_sensitive_ones(
    signed_in, consenting_customer, store
):
    dress = ProductFactory(name="Wrap dress", image_url="/product-images/DRESS.svg")
    bare = ProductFactory(name="Plain tee", image_url="")
    health = save_category(code="pharmacy", name="Pharmacy", sensitive=True, sensitive_label="health item")
    pill = ProductFactory(name="Pill", category=health, image_url="/product-images/PILL.svg")
    for rank, product in enumerate((dress, bare), start=1):
        Suggestion.objects.create(
            customer=consenting_customer, product=product, list="discover", rank=rank, score=1.0,
            reason="popular", model_version="t", created_at=timezone.now(),
        )  # fmt: skip
    order = OrderFactory(customer=consenting_customer, store=store)
    OrderLineFactory(order=order, line_number=1, product=dress)
    OrderLineFactory(order=order, line_number=2, product=pill)
    WishlistItem.objects.create(
        customer=consenting_customer, product=dress, added_via="associate", created_at=timezone.now()
    )

    content = signed_in.get(card_url(consenting_customer)).content.decode()

    picture = '<img class="product-image" src="/product-images/DRESS.svg" alt="" width="{0}" height="{0}"'
    assert picture.format(72) in content  # the suggestion
    assert picture.format(56) in content  # the wish
    assert picture.format(40) in content  # the line of her order
    assert 'loading="lazy"' in content
    assert (
        '<span class="product-image placeholder size-72" aria-hidden="true"></span>' in content
    )  # no picture
    assert "PILL.svg" not in content
    assert "Pill" not in content


def test_liking_a_suggestion_is_confirmed_with_its_name(signed_in, consenting_customer):
    coat = ProductFactory(name="Wool coat")
    Suggestion.objects.create(
        customer=consenting_customer, product=coat, list="discover", rank=1, score=1.0,
        reason="popular", model_version="t", created_at=timezone.now(),
    )  # fmt: skip

    response = signed_in.post(
        f"/customers/{consenting_customer.public_id}/suggestions/{coat.pk}/liked/", HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200
    assert "Noted: she likes “Wool coat”." in response.content.decode()
