"""The rules every retailer starts with (migrations 0002 and 0003 install them; the admin tunes them).

Each is (kind, active, settings). The numbers are a starting point a clienteling team would choose,
not figures fitted to anyone's data: a thank-you for a purchase of 200 or more within two days of it;
birthdays and important dates a week ahead; a word the day after an appointment; a replenishable
product a week before she would usually buy it again; a client of three visits or more who has not
come back for three times her usual interval; a private client not contacted for 60 days, again
every 60 days of silence (with the preferred clients too, the first night at 1M demo customers made
23,006 rather than 2,677, a median of 743 per associate rather than 88: ``OccasionRule.tier`` widens
it); a welcome within two days of opting in; and, a month after opting in, those who have not bought
yet.
"""

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

DEFAULT_RULES: list[tuple[str, bool, dict[str, Any]]] = [
    ("thank_you", True, {"min_amount": Decimal("200.00"), "after_days": 2, "expires_after_days": 7}),
    ("birthday", True, {"days_before": 7, "expires_after_days": 1}),
    ("anniversary", True, {"days_before": 7, "expires_after_days": 1}),
    ("after_appt", True, {"after_days": 2, "expires_after_days": 7}),
    ("replenish", True, {"days_before": 7, "expires_after_days": 14}),
    ("back_in_stock", True, {"expires_after_days": 7}),
    ("lapsing", True, {"lapse_factor": Decimal("3.0"), "expires_after_days": 30}),
    ("keep_in_touch", True, {"after_days": 60, "tier": "private_client", "expires_after_days": 14}),
    ("welcome", True, {"after_days": 2, "expires_after_days": 7}),
    ("never_bought", True, {"after_days": 30, "expires_after_days": 30}),
]

# The message each kind suggests: the chain's default template of that name, in each language.
SUGGESTED_TEMPLATES: dict[str, dict[str, str]] = {
    "thank_you": {"en": "Thank you", "fr": "Merci"},
    "back_in_stock": {"en": "Back in stock", "fr": "De retour en stock"},
    "lapsing": {"en": "New arrivals", "fr": "Nouveautés"},
    "keep_in_touch": {"en": "New arrivals", "fr": "Nouveautés"},
    "never_bought": {"en": "New arrivals", "fr": "Nouveautés"},
}


def install_default_rules(rule_model: Any, template_model: Any, kinds: Iterable[str] | None = None) -> None:
    """Create any rule that is missing (idempotent), of ``kinds`` or all; the models may be a
    migration's (one that predates a field names only the kinds that do not use it)."""
    for kind, active, values in DEFAULT_RULES:
        if kinds is not None and kind not in kinds:
            continue
        template = None
        if kind in SUGGESTED_TEMPLATES:
            template = template_model.objects.filter(
                store=None, language="en", name=SUGGESTED_TEMPLATES[kind]["en"]
            ).first()
        rule_model.objects.get_or_create(
            kind=kind, defaults={"is_active": active, "template": template, **values}
        )
