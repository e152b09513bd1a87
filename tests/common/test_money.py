"""Money as people read it, in the active language."""

from decimal import Decimal

from django.utils import translation

from common.templatetags.money import money, money0


def test_amounts_are_grouped_with_their_currency_sign():
    assert money(Decimal("7186.71"), "GBP") == "£7,186.71"
    assert money(Decimal("1574"), "EUR") == "€1,574.00"
    assert money0(Decimal("12345.67"), "GBP") == "£12,346"
    assert money(Decimal("12.5"), "SEK") == "12.50\u00a0SEK"
    assert money(None, "GBP") == ""


def test_in_french_the_sign_follows_and_the_separators_are_french():
    with translation.override("fr"):
        assert money(Decimal("7186.71"), "EUR") == "7\u00a0186,71\u00a0€"
