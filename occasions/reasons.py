"""Each occasion's reason, in a sentence the associate can act on (in her own language)."""

from datetime import date
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _

from customers.models import ImportantDate, ValueTier
from occasions.models import Kind, Occasion


def _day(value: str | None) -> str:
    return formats.date_format(date.fromisoformat(value), "j F") if value else ""


def _silence(d: dict[str, Any], on: date) -> str:
    """How long a top client has not heard from the store, up to ``on``."""
    tier = ValueTier(d["tier"]).label if d.get("tier") in ValueTier.values else _("A top client")

    def said(day: date) -> str:  # a day of another year says its year
        return formats.date_format(day, "j F" if day.year == on.year else "j F Y")

    if d.get("last_on"):
        last = date.fromisoformat(d["last_on"])
        return _("%(tier)s: no contact for %(days)s days, since %(on)s. Keep in touch.") % {
            "tier": tier,
            "days": (on - last).days,
            "on": said(last),
        }
    if d.get("since_on"):
        return _("%(tier)s since %(on)s, never contacted. Keep in touch.") % {
            "tier": tier,
            "on": said(date.fromisoformat(d["since_on"])),
        }
    return _("%(tier)s, never contacted. Keep in touch.") % {"tier": tier}


def _weekday(day: date) -> str:
    return formats.date_format(day, "l j F")


def reason(occasion: Occasion, today: date | None = None) -> str:
    """Its reason; ``today`` (the day it is read) names a day that is today as such, and counts a
    silence up to it (else up to the occasion's day)."""
    d = occasion.detail or {}
    product = occasion.product.name if occasion.product_id and occasion.product else _("a product")
    match occasion.kind:
        case Kind.THANK_YOU:
            return _("She spent %(amount)s %(currency)s on %(on)s: thank her.") % {
                "amount": d.get("amount", ""),
                "currency": d.get("currency", ""),
                "on": _day(d.get("on")),
            }
        case Kind.BIRTHDAY:
            if occasion.due_on == today:
                return _("Her birthday is today.")
            return _("Her birthday is on %(on)s.") % {"on": _weekday(occasion.due_on)}
        case Kind.ANNIVERSARY:
            # Unlabelled, an anniversary says so, as the card does; "other" is said as a date.
            anniversary = d.get("kind") == ImportantDate.Kind.ANNIVERSARY
            label = d.get("label") or (ImportantDate.Kind.ANNIVERSARY.label if anniversary else "")
            label = label or _("An important date")
            if occasion.due_on == today:
                return _("%(label)s today.") % {"label": label}
            return _("%(label)s on %(on)s.") % {"label": label, "on": _weekday(occasion.due_on)}
        case Kind.AFTER_APPOINTMENT:
            return _("She came for her appointment on %(on)s: ask how it went.") % {"on": _day(d.get("on"))}
        case Kind.REPLENISH:
            return _(
                "She buys %(product)s about every %(days)s days, last on %(on)s: time for a new one?"
            ) % {"product": product, "days": d.get("days", ""), "on": _day(d.get("last_on"))}
        case Kind.BACK_IN_STOCK:
            return _("%(product)s is back in stock in her size.") % {"product": product}
        case Kind.LAPSING:
            return _("She usually comes every %(days)s days; her last visit was on %(on)s.") % {
                "days": d.get("usual_days", ""),
                "on": _day(d.get("last_on")),
            }
        case Kind.KEEP_IN_TOUCH:
            return _silence(d, max(today or occasion.due_on, occasion.due_on))
        case Kind.WELCOME:
            return _("She joined on %(on)s: welcome her.") % {"on": _day(d.get("on"))}
        case Kind.CAMPAIGN:
            return _("The campaign “%(name)s”, until %(until)s.") % {
                "name": d.get("campaign", ""),
                "until": formats.date_format(occasion.expires_on, "j F"),
            }
        case Kind.NEVER_BOUGHT:
            return _("She joined on %(on)s and has not bought anything yet.") % {"on": _day(d.get("on"))}
    return str(Kind(occasion.kind).label)
