"""Every write of stores: one at a time (the API), or several hundred at once (a sales file's import)."""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import phonenumbers
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


def country_problem(country: str) -> str | None:
    """Why ``country`` cannot be a store's, if it cannot: an ISO 3166 code of a country (``UK`` is
    not one: the United Kingdom is ``GB``)."""
    if re.fullmatch(r"[A-Z]{2}", country) and country in phonenumbers.SUPPORTED_REGIONS:
        return None
    hint = " (the United Kingdom is GB)" if country == "UK" else ""
    return f"country {country[:40]!r} is not an ISO 3166 country code such as GB{hint}"


def currency_problem(currency: str) -> str | None:
    if re.fullmatch(r"[A-Z]{3}", currency):
        return None
    return f"currency {currency[:40]!r} is not an ISO 4217 currency code such as GBP"


def timezone_problem(timezone: str) -> str | None:
    try:
        validate_timezone(timezone)
    except ValidationError:
        return f"timezone {timezone[:40]!r} is not an IANA time zone such as Europe/London"
    return None


def locale_problem(locale: str) -> str | None:
    if locale in StaffLocale.values:
        return None
    return f"locale {locale[:40]!r} is not one of {', '.join(StaffLocale.values)}"


@dataclass(frozen=True)
class StoreDefaults:
    """Where the stores made from codes alone are: their country (and so their locale), currency and
    time zone."""

    country: str
    currency: str
    timezone: str

    def problems(self) -> list[str]:
        """What is wrong with these values, if anything."""
        found = (
            country_problem(self.country),
            currency_problem(self.currency),
            timezone_problem(self.timezone),
        )
        return [problem for problem in found if problem]


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


@transaction.atomic
def upsert_stores(staged: str, *, by: Actor = None, actor_kind: str | None = None) -> dict[str, int]:
    """Bring the stores in line with the table ``staged`` (code, name, country, timezone, currency,
    city, address, locale; one row per code, every value checked; a NULL city, address or locale:
    as it is): a store already here takes the values given, a new one is made (in its country's
    locale unless one is given). Set-based, each change audited (``store.created``,
    ``store.updated`` with the fields changed). Returns counts: created, updated, unchanged."""
    changed = [
        f"CASE WHEN s.{name} IS DISTINCT FROM coalesce(l.{name}, s.{name}) THEN '{name}' END"
        for name in ("name", "country", "timezone", "currency", "city", "address", "locale")
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            f"""WITH changes AS (
                   SELECT s.id, s.code, l.name, l.country, l.timezone, l.currency, l.city, l.address,
                          l.locale, array_remove(ARRAY[{", ".join(changed)}], NULL) AS fields
                   FROM {staged} l JOIN stores_store s ON s.code = l.code)
               UPDATE stores_store s
               SET name = c.name, country = c.country, timezone = c.timezone, currency = c.currency,
                   city = coalesce(c.city, s.city), address = coalesce(c.address, s.address),
                   locale = coalesce(c.locale, s.locale), updated_at = now()
               FROM changes c
               WHERE s.id = c.id AND cardinality(c.fields) > 0
               RETURNING s.id, s.code, c.fields"""  # noqa: S608 - fixed pieces
        )
        updated = cursor.fetchall()
        cursor.execute(
            f"""INSERT INTO stores_store (code, name, country, timezone, currency, city, address, locale,
                                          is_active, created_at, updated_at)
               SELECT l.code, l.name, l.country, l.timezone, l.currency, coalesce(l.city, ''),
                      coalesce(l.address, ''), coalesce(l.locale, m.locale, %(default)s), true, now(), now()
               FROM {staged} l
               LEFT JOIN unnest(%(countries)s::text[], %(locales)s::text[]) m (country, locale)
                      ON m.country = l.country
               ORDER BY l.code
               ON CONFLICT (code) DO NOTHING
               RETURNING id, code""",  # noqa: S608 - a fixed name
            {
                "countries": list(LOCALE_OF_COUNTRY),
                "locales": [str(locale) for locale in LOCALE_OF_COUNTRY.values()],
                "default": str(StaffLocale.EN_GB),
            },
        )
        created = cursor.fetchall()
        cursor.execute(f"SELECT count(*) FROM {staged}")  # noqa: S608 - a fixed name
        (given,) = cursor.fetchone()
    record_events(
        [
            *(Event("store.created", store_id=pk, detail={"code": code}) for pk, code in created),
            *(
                Event("store.updated", store_id=pk, detail={"code": code, "fields": fields})
                for pk, code, fields in updated
            ),
        ],
        by=by,
        actor_kind=actor_kind,
    )
    return {
        "created": len(created),
        "updated": len(updated),
        "unchanged": given - len(created) - len(updated),
    }
