"""When people shop: seasons, sales, weekdays and hours, per store and online, as samplers."""

from dataclasses import dataclass

import numpy as np

from demo.generate.common import DAY, Window
from demo.generate.stores import StoreSet

# Demand by month: the Christmas run-up dominates; the January and July sales lift quiet months.
MONTH = (1.05, 0.72, 0.82, 0.88, 0.9, 0.92, 1.05, 0.85, 0.88, 0.98, 1.3, 1.75)
STORE_WEEKDAY = (0.78, 0.8, 0.86, 0.98, 1.12, 1.55, 0.95)
ONLINE_WEEKDAY = (1.12, 1.0, 0.98, 0.97, 0.92, 0.88, 1.13)
GROWTH_PER_YEAR = 0.06
# Shape of footfall across opening hours (ten equal slices): lunchtime and after-work peaks.
STORE_DAY_SHAPE = np.array([0.45, 0.75, 1.0, 1.25, 1.1, 0.95, 1.05, 1.2, 1.0, 0.55])
ONLINE_HOUR_SHAPE = np.array(
    [0.35, 0.2, 0.1, 0.06, 0.05, 0.08, 0.2, 0.45, 0.7, 0.8, 0.85, 0.9,
     1.0, 0.95, 0.85, 0.85, 0.9, 1.0, 1.15, 1.35, 1.55, 1.6, 1.25, 0.7]
)  # fmt: skip


@dataclass(frozen=True)
class Calendar:
    """Demand curves over the window for each store (0..S-1) and for online (class S)."""

    window: Window
    stores: StoreSet
    day_epochs: np.ndarray
    cdf: np.ndarray  # [S + 1, D + 1] running share of demand, starting at 0
    sale: np.ndarray  # [D] fashion is marked down (January and summer sales)

    @property
    def online(self) -> int:
        return self.stores.count

    def sample_days(
        self, klass: np.ndarray, first: np.ndarray, last: np.ndarray, rng: np.random.Generator
    ) -> np.ndarray:
        """A demand-weighted day in ``first..last`` (inclusive) for each row; -1 if that class has
        no demand then (a store closed on every day of a very short span)."""
        out = np.full(len(klass), -1, dtype=np.int64)
        u = rng.random(len(klass))
        for k in np.unique(klass).tolist():
            rows = np.flatnonzero(klass == k)
            cdf = self.cdf[k]
            low, high = cdf[first[rows]], cdf[last[rows] + 1]
            ok = high > low
            target = low + u[rows] * (high - low)
            days = np.searchsorted(cdf, target, side="right") - 1
            out[rows[ok]] = np.clip(days[ok], first[rows[ok]], last[rows[ok]])
        return out

    def store_instants(self, store: np.ndarray, day: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """UTC instants within each store's opening hours of that (open) day."""
        opens = self.stores.opens[store, day]
        closes = self.stores.closes[store, day]
        slice_ = _sample_shape(STORE_DAY_SHAPE, len(store), rng)
        local = opens * 3600 + slice_ * (closes - opens) * 3600
        return self.day_epochs[day] + np.round(local).astype(np.int64) - self.stores.utc_offset[store, day]

    def online_instants(self, home: np.ndarray, day: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """UTC instants on that local day for shoppers who live near store ``home``."""
        local = _sample_shape(ONLINE_HOUR_SHAPE, len(home), rng) * DAY
        return self.day_epochs[day] + np.round(local).astype(np.int64) - self.stores.utc_offset[home, day]


def build_calendar(window: Window, stores: StoreSet) -> Calendar:
    dates = window.day_dates()
    months = np.array([d.month for d in dates])
    weekdays = np.array([d.weekday() for d in dates])
    season = np.array(MONTH)[months - 1] * (1 + GROWTH_PER_YEAR * np.arange(len(dates)) / 365)
    season *= np.array([_special_day(d.month, d.day, d.weekday()) for d in dates])
    sale = np.array([_is_sale(d.month, d.day) for d in dates])
    season = season * np.where(sale, 1.2, 1.0)

    demand = np.zeros((stores.count + 1, len(dates)))
    is_open = stores.opens > 0
    demand[: stores.count] = season * np.array(STORE_WEEKDAY)[weekdays] * is_open
    demand[stores.count] = season * np.array(ONLINE_WEEKDAY)[weekdays]
    cdf = np.zeros((stores.count + 1, len(dates) + 1))
    np.cumsum(demand, axis=1, out=cdf[:, 1:])
    return Calendar(window=window, stores=stores, day_epochs=window.day_epochs(), cdf=cdf, sale=sale)


def _is_sale(month: int, day: int) -> bool:
    """The winter sale runs from Boxing Day through January; the summer one from late June."""
    return (month == 12 and day >= 26) or month == 1 or (month == 6 and day >= 24) or month == 7


def _special_day(month: int, day: int, weekday: int) -> float:
    if month == 11 and weekday == 4 and 23 <= day <= 29:
        return 2.6  # Black Friday
    if month == 11 and 24 <= day <= 30 and weekday in (5, 6, 0):
        return 1.6  # the weekend after, and Cyber Monday
    if month == 12 and 14 <= day <= 23:
        return 1.35
    if month == 12 and day == 26:
        return 2.2  # Boxing Day sale, where stores open
    return 1.0


def _sample_shape(shape: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """Fractions of [0, 1) drawn from a piecewise-constant density given by ``shape``."""
    cum = np.cumsum(shape) / shape.sum()
    bucket = np.searchsorted(cum, rng.random(n), side="right")
    bucket = np.minimum(bucket, len(shape) - 1)
    return (bucket + rng.random(n)) / len(shape)
