"""Looks shared by a signed, expiring link, what she marks flowing back, and the wishlist."""

import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.models import AuditEvent
from consent.models import PurposeCode
from consent.selectors import current_purposes
from consent.services import apply_choices
from outreach import looks
from outreach.models import Look, LookItem, WishlistItem
from suggestions.models import Feedback, Suggestion
from tests.factories import ProductFactory


@pytest.fixture
def products(db):  # type: ignore[no-untyped-def]
    return [ProductFactory(name=name) for name in ("Linen blazer", "Silk scarf", "Wide trousers")]


def suggest(customer, product):  # type: ignore[no-untyped-def]
    return Suggestion.objects.create(
        customer=customer,
        product=product,
        list="discover",
        rank=1,
        score=1,
        reason="similar",
        model_version="t",
        created_at=timezone.now(),
    )


def make_look(customer, store, by, products):  # type: ignore[no-untyped-def]
    return looks.create_look(
        by=by,
        customer=customer,
        store=store,
        title="For Saturday",
        note="<b>Hi</b>",
        product_ids=[p.pk for p in products],
    )


def test_a_look_cannot_hold_a_sensitive_or_discontinued_product(
    reachable, store, associate, products, sensitive_product
):
    gone = ProductFactory(is_active=False)

    for bad in (sensitive_product, gone):
        with pytest.raises(ValidationError):
            make_look(reachable, store, associate, [products[0], bad])

    assert not Look.objects.exists()


def test_the_shared_link_opens_a_clean_page_without_signing_in(
    visitor, reachable, store, associate, products
):
    look = make_look(reachable, store, associate, products)

    response = visitor.get(looks.look_path(look))

    assert response.status_code == 200
    page = response.content.decode()
    assert "For Saturday" in page
    assert all(p.name in page for p in products)
    assert "&lt;b&gt;Hi&lt;/b&gt;" in page  # her associate's note is text, never markup
    assert "Okafor" not in page  # her first name only
    assert page.count('<span class="product-image placeholder size-160"') == 3  # no pictures yet
    assert response["Referrer-Policy"] == "no-referrer"
    look.refresh_from_db()
    assert look.first_opened_at is not None


def test_the_shared_look_shows_each_products_picture_on_her_phone(visitor, reachable, store, associate):
    coat = ProductFactory(name="Wool coat", image_url="/product-images/COAT.svg")
    look = make_look(reachable, store, associate, [coat])

    page = visitor.get(looks.look_path(look)).content.decode()

    assert (
        '<img class="product-image" src="/product-images/COAT.svg" alt="" width="160" height="160" '
        'loading="lazy" decoding="async">'
    ) in page


def test_a_changed_link_is_refused_and_an_expired_or_withdrawn_one_says_so(
    visitor, reachable, store, associate, products
):
    look = make_look(reachable, store, associate, products)
    path = looks.look_path(look)

    assert visitor.get(path[:-3] + "xx/").status_code == 404

    Look.objects.filter(pk=look.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    expired = visitor.get(path)
    assert expired.status_code == 410
    assert b"expired" in expired.content

    Look.objects.filter(pk=look.pk).update(expires_at=timezone.now() + timedelta(days=1))
    looks.revoke_look(by=associate, look=look)
    assert visitor.get(path).status_code == 410


def test_a_look_closes_when_she_stops_sharing_her_profile_and_opens_when_she_shares_again(
    visitor, reachable, store, associate, products
):
    look = make_look(reachable, store, associate, products)
    path = looks.look_path(look)
    granted = sorted(current_purposes(reachable))

    apply_choices(customer=reachable, wanted=[p for p in granted if p != PurposeCode.PROFILE])
    closed = visitor.get(path)

    assert closed.status_code == 410
    assert b"closed" in closed.content
    assert reachable.given_name.encode() not in closed.content
    assert not any(p.name.encode() in closed.content for p in products)
    item = look.items.first()
    assert visitor.post(f"{path}items/{item.pk}/wish/").status_code == 410  # nor act on it
    assert not WishlistItem.objects.filter(customer=reachable).exists()

    apply_choices(customer=reachable, wanted=granted)
    assert visitor.get(path).status_code == 200


def test_an_old_signature_expires_even_if_the_row_says_otherwise(
    reachable, store, associate, products, settings
):
    look = make_look(reachable, store, associate, products)
    token = looks.look_token(look)
    settings.LOOK_LINK_DAYS = 0

    with pytest.raises(looks.LinkExpired):
        looks.look_for_token(token)


def test_what_she_likes_comes_back_to_her_card_and_her_suggestions(
    visitor, reachable, store, associate, products
):
    suggest(reachable, products[0])
    look = make_look(reachable, store, associate, products)
    suggested, other = LookItem.objects.filter(look=look).order_by("position")[:2]
    path = looks.look_path(look)

    visitor.post(f"{path}items/{suggested.pk}/like/")
    visitor.post(f"{path}items/{other.pk}/like/")
    visitor.post(f"{path}items/{other.pk}/unlike/")
    visitor.post(f"{path}items/{other.pk}/wish/")

    suggested.refresh_from_db()
    other.refresh_from_db()
    assert suggested.liked_at is not None
    assert other.liked_at is None
    # Liked on the look and one of her suggestions: recorded as liked, like a tap on the card.
    assert list(
        Feedback.objects.filter(customer=reachable).values_list("product_id", "kind", "store_id")
    ) == [(products[0].pk, Feedback.Kind.LIKED, store.pk)]
    item = WishlistItem.objects.get(customer=reachable)
    assert (item.product_id, item.added_via, item.added_by) == (other.product_id, "customer", None)
    assert AuditEvent.objects.filter(action="look.item_liked", actor_kind="customer").count() == 2


def test_without_consent_to_suggestions_a_like_stays_on_the_look_only(
    visitor, reachable, store, associate, products, withdraw
):
    suggest(reachable, products[0])
    look = make_look(reachable, store, associate, products)
    withdraw(reachable, [PurposeCode.SUGGESTIONS])
    item = LookItem.objects.get(look=look, product=products[0])

    visitor.post(f"{looks.look_path(look)}items/{item.pk}/like/")

    item.refresh_from_db()
    assert item.liked_at is not None
    assert not Feedback.objects.exists()


def test_an_item_of_another_look_cannot_be_marked_through_this_link(
    visitor, reachable, store, associate, products
):
    mine = make_look(reachable, store, associate, products[:1])
    theirs = make_look(reachable, store, associate, products[1:])
    foreign = LookItem.objects.filter(look=theirs).first()
    assert foreign is not None

    response = visitor.post(f"{looks.look_path(mine)}items/{foreign.pk}/like/")

    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.liked_at is None


def test_the_wishlist_keeps_one_item_per_product_and_refuses_sensitive_ones(
    reachable, store, associate, products, sensitive_product
):
    first = looks.add_to_wishlist(
        customer=reachable, product_id=products[0].pk, by=associate, store=store, size="M"
    )
    again = looks.add_to_wishlist(customer=reachable, product_id=products[0].pk, by=associate, store=store)

    with pytest.raises(ValidationError):
        looks.add_to_wishlist(customer=reachable, product_id=sensitive_product.pk, by=associate, store=store)

    assert first == again
    assert WishlistItem.objects.count() == 1
    assert AuditEvent.objects.filter(action="wishlist.added").count() == 1


def test_associates_see_and_change_the_wishlist_on_the_card(client, reachable, store, associate, products):
    client.force_login(associate)
    card = f"/customers/{reachable.public_id}/"

    found = client.get(f"{card}wishlist/search/", {"q": "linen"}, headers={"HX-Request": "true"})
    added = client.post(f"{card}wishlist/", {"product": products[0].pk}, headers={"HX-Request": "true"})
    item = WishlistItem.objects.get()
    removed = client.post(f"{card}wishlist/{item.pk}/remove/", headers={"HX-Request": "true"})

    assert b"Linen blazer" in found.content
    assert b"Linen blazer" in added.content
    assert removed.status_code == 200
    assert not WishlistItem.objects.exists()


def test_an_associate_of_another_store_cannot_open_her_look(
    client, reachable, store, associate, outsider, products
):
    look = make_look(reachable, store, associate, products)
    client.force_login(outsider)

    response = client.get(f"/customers/{reachable.public_id}/looks/{look.public_id}/")

    assert response.status_code == 404


def test_the_look_page_offers_a_qr_code_and_a_message_with_the_link(
    client, reachable, store, associate, products, templates
):
    look = make_look(reachable, store, associate, products)
    client.force_login(associate)

    response = client.get(f"/customers/{reachable.public_id}/looks/{look.public_id}/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "<svg" in page
    # Merged into the message, ready to send. The link is signed with the time, which may have
    # ticked since the page was drawn: the page's link must open this look, whatever second it names.
    base = re.escape(looks.look_url(look).rsplit("/l/", 1)[0])
    shared = re.findall(rf"{base}/l/([^/\s<\"]+)/", page)
    assert shared
    assert {looks.look_for_token(token) for token in shared} == {look}
