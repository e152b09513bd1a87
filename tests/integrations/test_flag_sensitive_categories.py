"""manage.py flag_sensitive_categories: categories marked (or unmarked) sensitive by code, audited,
and their products gone from suggestions at once."""

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from audit.models import AuditEvent
from catalog.models import Category
from catalog.services import flag_sensitive_categories, save_category
from consent.models import PurposeCode
from suggestions.models import Suggestion
from suggestions.selectors import card_suggestions, top_suggested
from tests.factories import CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db


def suggest(customer, *products, anchor=None, listed="discover", first=1):
    for rank, product in enumerate(products, start=first):
        Suggestion.objects.create(
            customer=customer, product=product, list=listed, rank=rank, score=1.0, reason="goes_with",
            anchor_product=anchor, model_version="t", created_at=timezone.now(),
        )  # fmt: skip


def shown(customer):
    lists = card_suggestions(customer, purposes=[PurposeCode.SUGGESTIONS])
    return [s.product.name for s in lists.discover]


def test_flagging_a_category_masks_it_and_its_subtree_and_is_audited(capsys):
    vitamins = save_category(code="vitamins", name="Vitamins")
    save_category(code="kids-vitamins", name="Children's vitamins", parent=vitamins)

    call_command("flag_sensitive_categories", "vitamins", "--label", "health item")

    assert "1 categories flagged sensitive: vitamins." in capsys.readouterr().out
    masks = dict(Category.objects.values_list("code", "masked_as"))
    assert masks == {"vitamins": "health item", "kids-vitamins": "health item"}
    event = AuditEvent.objects.get(action="category.flagged_sensitive")
    assert event.actor_kind == "command:flag_sensitive_categories"
    assert event.detail == {"category_id": vitamins.pk, "code": "vitamins", "label": "health item"}


def test_unknown_codes_are_reported_and_the_others_flagged(capsys):
    CategoryFactory(code="adult", name="Adult")
    CategoryFactory(code="pharmacy", name="Pharmacy")

    call_command("flag_sensitive_categories", "adult", "nope", "pharmacy")

    out, err = capsys.readouterr()
    assert "2 categories flagged sensitive: adult, pharmacy." in out
    assert "No such category: nope." in err
    assert set(Category.objects.filter(is_sensitive=True).values_list("masked_as", flat=True)) == {
        "personal item"
    }


def test_flagging_again_changes_nothing_and_records_nothing(capsys):
    CategoryFactory(code="adult", name="Adult")
    call_command("flag_sensitive_categories", "adult")

    call_command("flag_sensitive_categories", "adult")

    assert "0 categories flagged sensitive: -.\nAlready so: adult." in capsys.readouterr().out
    assert AuditEvent.objects.filter(action="category.flagged_sensitive").count() == 1


def test_unflagging_makes_a_category_ordinary_unless_a_parent_is_sensitive(capsys):
    health = save_category(code="health", name="Health", sensitive=True, sensitive_label="health item")
    save_category(code="vitamins", name="Vitamins", parent=health, sensitive=True)
    save_category(code="adult", name="Adult", sensitive=True)

    call_command("flag_sensitive_categories", "vitamins", "adult", "--unflag")

    out = capsys.readouterr().out
    assert "2 categories unflagged: vitamins, adult." in out
    assert "Still sensitive under a sensitive parent category: vitamins." in out
    assert dict(Category.objects.values_list("code", "is_sensitive")) == {
        "health": True,
        "vitamins": True,
        "adult": False,
    }
    assert AuditEvent.objects.filter(action="category.unflagged_sensitive").count() == 2


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--unflag", "--label", "x"], "--label is for marking categories sensitive"),
        (["--label", "x" * 61], "A label is 1 to 60 characters"),
    ],
)
def test_a_label_out_of_place_or_too_long_is_refused(options, message):
    CategoryFactory(code="adult", name="Adult")

    with pytest.raises(CommandError, match=message):
        call_command("flag_sensitive_categories", "adult", *options)

    assert not Category.objects.get().sensitive


def test_a_flagged_categorys_products_are_no_longer_suggested_and_their_stored_suggestions_go(
    consenting_customer, capsys
):
    vitamins = CategoryFactory(code="vitamins", name="Vitamins")
    tablets = ProductFactory(name="Iron tablets", category=vitamins)
    coat = ProductFactory(name="Wool coat")
    scarf = ProductFactory(name="Silk scarf")
    suggest(consenting_customer, tablets)
    suggest(consenting_customer, coat, anchor=tablets, first=2)  # "goes with the iron tablets she bought"
    suggest(consenting_customer, scarf, listed="buy_again")
    assert shown(consenting_customer) == ["Iron tablets", "Wool coat"]

    call_command("flag_sensitive_categories", "vitamins")

    assert "2 stored suggestions of their products deleted." in capsys.readouterr().out
    assert shown(consenting_customer) == []
    assert top_suggested(consenting_customer) == [scarf.pk]


def test_the_card_leaves_out_a_category_flagged_without_the_command_until_the_refresh(consenting_customer):
    """Flagged in the admin or by the API, the stored suggestions stay until the next refresh: the
    card reads the flag as it reads them."""
    vitamins = CategoryFactory(code="vitamins", name="Vitamins")
    suggest(consenting_customer, ProductFactory(name="Iron tablets", category=vitamins))

    flag_sensitive_categories(codes=["vitamins"], by=None)

    assert Suggestion.objects.count() == 1
    assert shown(consenting_customer) == []
