"""Money as people read it: ``{{ amount|money:currency }}`` → "£7,186.71", "€1,574.00" in English,
"7 186,71 €" in French (the active language's separators, always grouped); ``money0`` without the
pence, for totals."""

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils import formats, translation

register = template.Library()

SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$", "JPY": "¥"}


def _money(amount: Decimal | float | int | None, currency: str, places: int) -> str:
    if amount is None or amount == "":
        return ""
    rounded = Decimal(str(amount)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    number = formats.number_format(rounded, places, use_l10n=True, force_grouping=True)
    symbol = SYMBOLS.get(currency)
    if symbol is None:
        return f"{number}\u00a0{currency}"
    if (translation.get_language() or "en").startswith("fr"):
        return f"{number}\u00a0{symbol}"
    return f"{symbol}{number}"


@register.filter
def money(amount: Decimal | float | int | None, currency: str = "GBP") -> str:
    return _money(amount, currency, 2)


@register.filter
def money0(amount: Decimal | float | int | None, currency: str = "GBP") -> str:
    return _money(amount, currency, 0)
