"""The retailer: eight department stores in five countries, their opt-in points and opening hours."""

import zoneinfo
from dataclasses import dataclass
from datetime import datetime, time

import numpy as np

from common import copy as cp
from demo.generate.common import Bar, Window
from stores.models import LOCALE_OF_COUNTRY, CollectionPoint, StaffLocale, Store

RETAILER = "Halden & Rowe"


@dataclass(frozen=True)
class StoreSpec:
    code: str
    city: str
    country: str
    timezone: str
    currency: str
    address: str
    share: float  # of customers who call it their home store
    sunday: tuple[int, int] | None  # opening hours; None where Sunday trading is not allowed
    big: bool  # big stores have a third opt-in point, the poster at the entrance


STORES = (
    StoreSpec("london", "London", "GB", "Europe/London", "GBP", "318 Regent Street, London W1B 3HH", 0.22,
              (12, 18), big=True),
    StoreSpec("manchester", "Manchester", "GB", "Europe/London", "GBP", "54 King Street, Manchester M2 4LQ",
              0.12, (11, 17), big=True),
    StoreSpec("edinburgh", "Edinburgh", "GB", "Europe/London", "GBP", "97 Princes Street, Edinburgh EH2 2ER",
              0.08, (11, 17), big=False),
    StoreSpec("dublin", "Dublin", "IE", "Europe/Dublin", "EUR", "41 Grafton Street, Dublin 2, D02 X285",
              0.10, (12, 18), big=False),
    StoreSpec("paris", "Paris", "FR", "Europe/Paris", "EUR", "64 boulevard Haussmann, 75009 Paris", 0.16,
              (11, 19), big=True),
    StoreSpec("lyon", "Lyon", "FR", "Europe/Paris", "EUR", "58 rue de la République, 69002 Lyon", 0.08,
              None, big=False),
    StoreSpec("berlin", "Berlin", "DE", "Europe/Berlin", "EUR", "Kurfürstendamm 212, 10719 Berlin", 0.14,
              None, big=True),
    StoreSpec("amsterdam", "Amsterdam", "NL", "Europe/Amsterdam", "EUR",
              "Kalverstraat 152, 1012 XE Amsterdam", 0.10, (12, 18), big=False),
)  # fmt: skip

COLLECTION_POINTS = (
    ("tills", "Main tills"),
    ("fitting-rooms", "Fitting rooms"),
    ("entrance", "Entrance poster"),
)
LOCALES = {"GB": "en-GB", "IE": "en-IE", "FR": "fr-FR", "DE": "de-DE", "NL": "nl-NL"}


@dataclass(frozen=True)
class StoreSet:
    """The stores as arrays indexed 0..S-1, with each day's opening hours and UTC offset."""

    ids: np.ndarray
    specs: tuple[StoreSpec, ...]
    countries: list[str]
    share: np.ndarray
    point_ids: list[list[int]]  # collection points of each store, tills first
    opens: np.ndarray  # [S, D] local opening hour, 0 when closed
    closes: np.ndarray  # [S, D] local closing hour, 0 when closed
    utc_offset: np.ndarray  # [S, D] seconds to add to UTC to get local time, at midday

    @property
    def count(self) -> int:
        return len(self.specs)


def build_stores(writer: cp.CopyWriter, bar: Bar, window: Window) -> StoreSet:
    first = cp.next_id(Store)
    ids = np.arange(first, first + len(STORES), dtype=np.int64)
    opened = window.start - 400 * 86_400  # the stores were set up well before the history starts
    created = cp.timestamps(np.full(len(STORES), opened))
    writer.write(
        Store,
        {
            "id": cp.ints(ids),
            "code": [s.code for s in STORES],
            "name": [f"{RETAILER} {s.city}" for s in STORES],
            "country": [s.country for s in STORES],
            "timezone": [s.timezone for s in STORES],
            "currency": [s.currency for s in STORES],
            "city": [s.city for s in STORES],
            "address": [s.address for s in STORES],
            "locale": [str(LOCALE_OF_COUNTRY.get(s.country, StaffLocale.EN_GB)) for s in STORES],
            "is_active": cp.const("t", len(STORES)),
            "created_at": created,
            "updated_at": created,
        },
        bar,
    )
    point_ids: list[list[int]] = []
    store_col: list[int] = []
    codes: list[str] = []
    names: list[str] = []
    next_point = cp.next_id(CollectionPoint)
    for store_id, spec in zip(ids.tolist(), STORES, strict=True):
        points = COLLECTION_POINTS if spec.big else COLLECTION_POINTS[:2]
        point_ids.append(list(range(next_point, next_point + len(points))))
        next_point += len(points)
        store_col += [store_id] * len(points)
        codes += [code for code, _ in points]
        names += [name for _, name in points]
    n = len(codes)
    writer.write(
        CollectionPoint,
        {
            "id": cp.id_range(point_ids[0][0], n),
            "store_id": cp.ints(np.array(store_col)),
            "code": codes,
            "name": names,
            "is_active": cp.const("t", n),
            "created_at": cp.timestamps(np.full(n, opened)),
        },
        bar,
    )
    opens, closes, offsets = _calendar(window)
    return StoreSet(
        ids=ids,
        specs=STORES,
        countries=[s.country for s in STORES],
        share=np.array([s.share for s in STORES]) / sum(s.share for s in STORES),
        point_ids=point_ids,
        opens=opens,
        closes=closes,
        utc_offset=offsets,
    )


def _calendar(window: Window) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Opening hours and UTC offsets per store and day; DST changes at night, so midday is safe."""
    days = window.day_dates()
    shape = (len(STORES), len(days))
    opens = np.zeros(shape, dtype=np.int64)
    closes = np.zeros(shape, dtype=np.int64)
    offsets = np.zeros(shape, dtype=np.int64)
    for s, spec in enumerate(STORES):
        zone = zoneinfo.ZoneInfo(spec.timezone)
        for d, day in enumerate(days):
            offset = datetime.combine(day, time(12), tzinfo=zone).utcoffset()
            offsets[s, d] = int(offset.total_seconds()) if offset else 0
            hours = _opening_hours(spec, day.weekday(), day.month, day.day)
            if hours:
                opens[s, d], closes[s, d] = hours
    return opens, closes, offsets


def _opening_hours(spec: StoreSpec, weekday: int, month: int, day: int) -> tuple[int, int] | None:
    if (month, day) in {(12, 25), (1, 1)}:
        return None
    if (month, day) == (12, 26) and spec.country in {"DE", "NL", "IE"}:
        return None  # a public holiday there; in Britain it is the first day of the sale
    if (month, day) == (12, 24):
        return (9, 16)
    if weekday == 6:
        return spec.sunday
    if weekday == 3 and spec.country == "GB":
        return (10, 21)  # late-night shopping on Thursdays
    if weekday == 5:
        return (9, 20)
    return (10, 20)
