import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from catalog.services import save_category
from customers.models import Preference
from customers.services import add_important_date, set_preference, set_size
from tests.factories import BrandFactory

pytestmark = pytest.mark.django_db


def test_a_size_per_category_is_replaced_not_duplicated(associate, consenting_customer):
    dresses = save_category(code="dresses", name="Dresses")

    set_size(by=associate, customer=consenting_customer, category=dresses, size="12")
    set_size(by=associate, customer=consenting_customer, category=dresses, size="14", fit_note="Likes room")

    assert list(consenting_customer.sizes.values_list("size", "fit_note")) == [("14", "Likes room")]


def test_no_sizes_or_preferences_are_kept_for_sensitive_categories(associate, consenting_customer):
    maternity = save_category(code="maternity", name="Maternity", sensitive=True)

    with pytest.raises(ValidationError):
        set_size(by=associate, customer=consenting_customer, category=maternity, size="M")
    with pytest.raises(ValidationError):
        set_preference(
            by=associate, customer=consenting_customer, kind="category", likes=True, category=maternity
        )


def test_the_opposite_preference_replaces_the_earlier_one(associate, consenting_customer):
    set_preference(by=associate, customer=consenting_customer, kind="colour", likes=True, value="Navy")
    set_preference(by=associate, customer=consenting_customer, kind="colour", likes=False, value=" navy ")

    assert list(Preference.objects.values_list("value", "likes")) == [("Navy", False)]


def test_a_brand_preference_needs_a_brand(associate, consenting_customer):
    with pytest.raises(ValidationError, match="Choose a brand"):
        set_preference(by=associate, customer=consenting_customer, kind="brand", likes=True)

    set_preference(by=associate, customer=consenting_customer, kind="brand", likes=True, brand=BrandFactory())
    assert consenting_customer.preferences.count() == 1


def test_the_database_refuses_a_preference_whose_target_does_not_match_its_kind(consenting_customer):
    with pytest.raises(IntegrityError), transaction.atomic():
        Preference.objects.create(customer=consenting_customer, kind="brand", likes=True, value="Navy")


@pytest.mark.parametrize(
    ("month", "day", "year"), [(2, 30, None), (2, 29, 2025), (13, 1, None), (4, 31, None)]
)
def test_impossible_dates_are_refused(associate, consenting_customer, month, day, year):
    with pytest.raises(ValidationError):
        add_important_date(
            by=associate, customer=consenting_customer, kind="anniversary", month=month, day=day, year=year
        )


def test_29_february_without_a_year_is_allowed(associate, consenting_customer):
    date = add_important_date(by=associate, customer=consenting_customer, kind="anniversary", month=2, day=29)

    assert (date.month, date.day) == (2, 29)
