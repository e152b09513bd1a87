"""What every generator shares: the calendar window, seeded random streams, ids and progress."""

import zlib
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol

import numpy as np

from common.copy import Bar

DAY = 86_400
WINDOW_DAYS = 730
DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 - the published demo password, shown by demo_logins


def rng_for(seed: int, phase: str) -> np.random.Generator:
    """One independent stream per phase: changing what one phase draws leaves the others unchanged."""
    return np.random.default_rng([seed, zlib.crc32(phase.encode())])


@dataclass(frozen=True)
class Window:
    """The two years of history that end at midnight (UTC) at the start of ``today``."""

    today: date
    days: int = WINDOW_DAYS

    @property
    def first_day(self) -> date:
        return self.today - timedelta(days=self.days)

    @property
    def start(self) -> int:
        return epoch(self.first_day)

    @property
    def end(self) -> int:
        return epoch(self.today)

    def day_dates(self) -> list[date]:
        return [self.first_day + timedelta(days=d) for d in range(self.days)]

    def day_epochs(self) -> np.ndarray:
        return self.start + DAY * np.arange(self.days, dtype=np.int64)


def epoch(day: date) -> int:
    return int(datetime.combine(day, time(), tzinfo=UTC).timestamp())


def uuid_hex(rng: np.random.Generator, n: int) -> list[str]:
    """``n`` version-4 UUIDs drawn from ``rng`` (so they repeat with the seed), as 32 hex digits."""
    raw = rng.integers(0, 256, size=(n, 16), dtype=np.uint8)
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80
    text = raw.tobytes().hex()
    return [text[i : i + 32] for i in range(0, 32 * n, 32)]


def segment_starts(counts: np.ndarray) -> np.ndarray:
    """Where each segment begins in the flat array built by ``np.repeat(..., counts)``."""
    starts = np.zeros(len(counts), dtype=np.int64)
    np.cumsum(counts[:-1], out=starts[1:])
    return starts


def rank_in_segment(counts: np.ndarray) -> np.ndarray:
    """0, 1, 2… within each segment of a flat array built by ``np.repeat(..., counts)``."""
    total = int(counts.sum())
    return np.arange(total, dtype=np.int64) - np.repeat(segment_starts(counts), counts)


def sample_in_segments(cum: np.ndarray, segment: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Weighted draws within segments in one vectorised search.

    ``cum`` is the running sum of weights that were normalised to 1 inside each segment and laid out
    segment after segment, so it climbs from ``s`` to ``s + 1`` across segment ``s``. A draw in
    segment ``s`` is then a search for ``s + u``; the caller guarantees each segment is non-empty.
    """
    target = segment + rng.random(len(segment)) * (1 - 1e-9)
    return np.searchsorted(cum, target, side="right")


def segment_cumsum(weights: np.ndarray, segment: np.ndarray, n_segments: int) -> np.ndarray:
    """The ``cum`` that ``sample_in_segments`` expects; rows must already be sorted by segment."""
    totals = np.bincount(segment, weights=weights, minlength=n_segments)
    shares = weights / totals[segment]
    cum = np.cumsum(shares)
    # Remove the float drift so each segment ends exactly on its integer boundary.
    starts = segment_starts(np.bincount(segment, minlength=n_segments))
    before = np.concatenate([[0.0], cum])[starts]
    return cum - np.repeat(before, np.bincount(segment, minlength=n_segments)) + segment


class Progress(Protocol):
    def __call__(self, phase: str) -> AbstractContextManager[Bar]: ...


class _SilentBar:
    def grow(self, n: int) -> None:
        pass

    def advance(self, n: int) -> None:
        pass


@contextmanager
def no_progress(phase: str) -> Iterator[Bar]:
    yield _SilentBar()
