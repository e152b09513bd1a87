import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import Category
from catalog.services import flag_sensitive_categories, save_category
from tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db


def test_a_sensitive_category_makes_its_whole_subtree_sensitive():
    pharmacy = save_category(code="pharmacy", name="Pharmacy", sensitive=True, sensitive_label="health item")
    vitamins = save_category(code="vitamins", name="Vitamins", parent=pharmacy)
    kids = save_category(code="kids-vitamins", name="Children's vitamins", parent=vitamins)

    kids.refresh_from_db()
    assert (kids.is_sensitive, kids.masked_as) == (True, "health item")
    assert Category.objects.not_sensitive().filter(pk__in=[pharmacy.pk, vitamins.pk, kids.pk]).count() == 0


def test_a_sensitive_node_with_its_own_label_masks_its_subtree_with_that_label():
    health = save_category(code="health", name="Health", sensitive=True, sensitive_label="health item")
    pregnancy = save_category(
        code="pregnancy",
        name="Pregnancy",
        parent=health,
        sensitive=True,
        sensitive_label="family-planning item",
    )

    assert pregnancy.masked_as == "family-planning item"


def test_a_sensitive_category_without_a_label_is_masked_generically():
    adult = save_category(code="adult", name="Adult", sensitive=True)

    assert adult.masked_as == "personal item"


def test_moving_a_category_out_of_a_sensitive_branch_makes_it_ordinary_again():
    pharmacy = save_category(code="pharmacy", name="Pharmacy", sensitive=True)
    beauty = save_category(code="beauty", name="Beauty")
    save_category(code="suncream", name="Sun cream", parent=pharmacy)

    suncream = save_category(code="suncream", name="Sun cream", parent=beauty)

    assert (suncream.is_sensitive, suncream.masked_as) == (False, "")


def test_a_category_cannot_be_moved_under_its_own_subtree():
    fashion = save_category(code="fashion", name="Fashion")
    shoes = save_category(code="shoes", name="Shoes", parent=fashion)

    with pytest.raises(ValueError, match="own subtree"):
        save_category(code="fashion", name="Fashion", parent=shoes)


def test_flagging_forty_categories_costs_as_many_statements_as_flagging_two(django_assert_num_queries):
    codes = [CategoryFactory(code=f"c{n}").code for n in range(42)]
    with CaptureQueriesContext(connection) as two:
        flag_sensitive_categories(codes=codes[:2], by=None)

    with django_assert_num_queries(len(two)):
        flagged = flag_sensitive_categories(codes=codes[2:], label="health item", by=None)

    assert len(flagged.changed) == 40
    assert Category.objects.filter(is_sensitive=True).count() == 42
