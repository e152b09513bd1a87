"""Every write of stores: one at a time (the API), or several hundred at once (a sales file's import)."""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction

from audit.services import Actor, Event, record_events
from common.upsert import upsert
from stores.models import LOCALE_OF_COUNTRY, StaffLocale, Store, validate_timezone

STORE_CODE = re.compile(r"[-a-zA-Z0-9_]{1,32}")


def write_store(*, code: str, **values: Any) -> tuple[str, Store]:
    """Create or update the store with this code (``values``: its other fields)."""
    return upsert(Store, {"code": code}, values)


def locale_of(country: str) -> str:
    """A new store's staff locale, from its country (English, the UK's formats, elsewhere)."""
    return str(LOCALE_OF_COUNTRY.get(country, StaffLocale.EN_GB))


@dataclass(frozen=True)
class StoreDefaults:
    """Where the stores made from codes alone are: their country (and so their locale), currency and
    time zone."""

    country: str
    currency: str
    timezone: str

    def problems(self) -> list[str]:
        """What is wrong with these values, said as the model's validators say it."""
        problems = []
        if not re.fullmatch(r"[A-Z]{2}", self.country):
            problems.append(f"country {self.country!r} is not an ISO 3166 country code such as GB")
        if not re.fullmatch(r"[A-Z]{3}", self.currency):
            problems.append(f"currency {self.currency!r} is not an ISO 4217 currency code such as GBP")
        try:
            validate_timezone(self.timezone)
        except ValidationError:
            problems.append(f"timezone {self.timezone!r} is not an IANA time zone such as Europe/London")
        return problems


@transaction.atomic
def create_stores(
    *, codes: Sequence[str], defaults: StoreDefaults, by: Actor = None, actor_kind: str | None = None
) -> list[str]:
    """Create the stores of ``codes`` that are not here yet, each named "Store <code>", in
    ``defaults``' country (its staff pages in that country's locale), currency and time zone; the
    rest are left as they are. Set-based: the same two statements for three stores or three hundred,
    and each new store audited (``store.created``). Returns the codes created, in the order given."""
    if problems := defaults.problems():
        raise ValueError("; ".join(problems))
    if bad := [code for code in codes if not STORE_CODE.fullmatch(code)]:
        raise ValueError(f"Not store codes (letters, digits, - and _, up to 32): {', '.join(bad[:5])}")
    with connection.cursor() as cursor:
        cursor.execute(
            """INSERT INTO stores_store (code, name, country, timezone, currency, city, address, locale,
                                         is_active, created_at, updated_at)
               SELECT c.code, 'Store ' || c.code, %(country)s, %(timezone)s, %(currency)s, '', '',
                      %(locale)s, true, now(), now()
               FROM unnest(%(codes)s::text[]) WITH ORDINALITY AS c (code, n)
               ORDER BY c.n
               ON CONFLICT (code) DO NOTHING
               RETURNING id, code""",
            {
                "codes": list(codes),
                "country": defaults.country,
                "timezone": defaults.timezone,
                "currency": defaults.currency,
                "locale": locale_of(defaults.country),
            },
        )
        made = dict(cursor.fetchall())
    order = {code: n for n, code in enumerate(codes)}
    created = sorted(made.items(), key=lambda item: order[item[1]])
    record_events(
        (Event("store.created", store_id=store_id, detail={"code": code}) for store_id, code in created),
        by=by,
        actor_kind=actor_kind,
    )
    return [code for _, code in created]
