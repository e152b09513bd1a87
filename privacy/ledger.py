"""The erasure ledger: one line for each completed erasure, in a file outside the database.

A backup restored from before an erasure brings her back, and brings back neither the erasure nor
its audit events: the restored database cannot tell that she asked. The ledger can. It lives at
``settings.ERASURE_LEDGER_PATH``, on a volume backed up apart from the database, and
``manage.py replay_erasures`` erases again everyone it lists (README, "Backup and restore").

A line is JSON: ``{"completed_at": "…", "customer_id": 42, "merged_profile_ids": [57]}``. Her
pseudonymous id (the primary key, which a restore keeps), the ids of the profiles merged into her
(a backup from before the merge has them as customers of their own), and when the erasure was
known to be committed. Nothing else: no name, no identifier, not her ``public_id``. It is
append-only; the same customer may appear more than once (a retried erasure, one done again after
a restore), which replaying treats as one.

A line is written once the erasure's transaction has committed (never for one rolled back), in one
``write`` to a file opened for appending, under an exclusive ``flock`` (workers on one host append
in turn), then ``fsync``: when ``append`` returns, the line is on disk.
"""

import fcntl
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path


@dataclass(frozen=True)
class Entry:
    customer_id: int
    merged_profile_ids: tuple[int, ...]
    completed_at: datetime

    def ids(self) -> Iterator[int]:
        """Her id, then those of the profiles merged into her."""
        yield self.customer_id
        yield from self.merged_profile_ids


@dataclass(frozen=True)
class Ledger:
    """What a ledger file says: its entries in the order written, and the numbers of lines that
    could not be read (a line cut short by a crash while it was written, or an edit by hand)."""

    entries: list[Entry] = field(default_factory=list)
    unreadable_lines: list[int] = field(default_factory=list)


def append(path: Path, entry: Entry) -> None:
    """Add ``entry`` to the ledger at ``path`` and return once it is on disk; raises ``OSError``."""
    line = json.dumps(
        {
            "customer_id": entry.customer_id,
            "merged_profile_ids": list(entry.merged_profile_ids),
            "completed_at": entry.completed_at.isoformat(),
        },
        sort_keys=True,
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        size = os.fstat(descriptor).st_size
        # A line a crash cut short stays unreadable on its own instead of swallowing this one.
        torn = size > 0 and os.pread(descriptor, 1, size - 1) != b"\n"
        data = (("\n" if torn else "") + line + "\n").encode()
        if os.write(descriptor, data) != len(data):
            raise OSError(f"the erasure ledger {path} took only part of a line (is its disk full?)")
        os.fsync(descriptor)
    finally:
        os.close(descriptor)  # which also releases the lock
    if size == 0:
        _sync_folder(path.parent)  # a new file's name is durable once its folder is


def read(path: Path) -> Ledger:
    """The ledger at ``path``; raises ``FileNotFoundError`` when there is none."""
    ledger = Ledger()
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                ledger.entries.append(_entry(json.loads(line)))
            except (ValueError, TypeError, KeyError):
                ledger.unreadable_lines.append(number)
    return ledger


def _entry(data: dict[str, object]) -> Entry:
    customer_id, merged, completed_at = data["customer_id"], data["merged_profile_ids"], data["completed_at"]
    if not isinstance(customer_id, int) or not isinstance(merged, list) or not isinstance(completed_at, str):
        raise TypeError("not a ledger line")
    if not all(isinstance(pk, int) for pk in merged):
        raise TypeError("not a ledger line")
    return Entry(customer_id, tuple(merged), datetime.fromisoformat(completed_at))


def _sync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
