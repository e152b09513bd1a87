"""Heavy reads on a PostgreSQL streaming replica, when one is configured (``DATABASE_REPLICA_URL``).

Reads go to the primary unless the code opts in, with ``heavy_read`` on a function that only reads
(the store dashboard's figures, a customer's download, a breach report) or ``on_replica()`` around a
block of reads. Writes always go to the primary, and so does every read inside a transaction (it
may depend on the transaction's own writes, and may lock); migrations run on the primary only.

Read-your-writes. A replica replays the primary's write-ahead log a little after the primary wrote
it. A read that depends on writes names the primary's position after them (``primary_position()``),
and the replica serves it only once it has replayed that far (``pg_last_wal_replay_lsn()``): it
waits up to ``REPLICA_WAIT_SECONDS``, then reads from the primary. ``heavy_read`` takes the position
as it starts, so it sees whatever anyone committed before it was called: a note just written, a
download just asked for (the job building it starts after the request committed), an erasure. A
read that names no position (``on_replica()``) takes the replica as it is, while it is at most
``REPLICA_MAX_LAG_SECONDS`` behind.

Whatever goes wrong with the replica, the read goes to the primary: slower, never wrong. A server
that does not answer (or is no longer a standby) is left alone for ``REST_SECONDS``; a read the
replica fails under (its connection lost, a query cancelled by a conflict with recovery) runs again
on the primary. Each fallback is counted (``common.metrics``, reported by ``/healthz``): the
replica away, behind, or failed under a read.
"""

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, InterfaceError, OperationalError, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model

from common import metrics

logger = logging.getLogger(__name__)

REPLICA = "replica"
REST_SECONDS = 10.0
# How often the replica is asked again whether it has replayed far enough: soon, then less often.
_PAUSES = (0.005, 0.01, 0.02, 0.05)
_LAST_PAUSE = 0.1

# Where the reads of the running code go (per thread and per task, never shared).
_reads_go_to: ContextVar[str] = ContextVar("replica_reads_go_to", default=DEFAULT_DB_ALIAS)
_lock = threading.Lock()
_away_until = 0.0
_behind_told_at = float("-inf")

# The replica's state in one round trip: a standby? replayed as far as the position (none named:
# yes)? how far behind, in seconds: none while its WAL receiver streams and has nothing waiting to be
# replayed, else since the last transaction it replayed (unknown, NULL, before it replayed any).
_STATE = """
SELECT pg_is_in_recovery(),
       coalesce(pg_last_wal_replay_lsn() >= %(after)s::pg_lsn, %(after)s::pg_lsn IS NULL),
       CASE WHEN EXISTS (SELECT FROM pg_stat_wal_receiver)
                 AND pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
            ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp()) END
"""


def configured() -> bool:
    return REPLICA in settings.DATABASES


def reads_go_to() -> str:
    """The alias a read here goes to: the replica inside a block that chose it, except in a
    transaction on the primary."""
    alias = _reads_go_to.get()
    if alias != DEFAULT_DB_ALIAS and connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return DEFAULT_DB_ALIAS
    return alias


def read_connection() -> BaseDatabaseWrapper:
    """The connection for a raw SQL read (``django.db.connection`` is always the primary's)."""
    return connections[reads_go_to()]


def primary_position() -> str | None:
    """The primary's WAL position now: a replica that has replayed this far holds every write
    committed before this call. None without a replica (nothing will wait for it).

    The position written (``pg_current_wal_lsn()``), which a commit has reached before it returns
    (``synchronous_commit``, on by default), and which a replica reaches too. Not the position of
    the next insert: between records that one can point past a page's header, where no replica
    ever stops (an idle primary after a WAL switch), and every read would wait in vain."""
    if not configured():
        return None
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        return str(cursor.fetchone()[0])


@contextmanager
def on_replica(*, after: str | None = None, fresh: bool = False) -> Iterator[str]:
    """Send the block's reads to the replica when it can answer them, else to the primary; yields
    the alias chosen (once, for the whole block).

    ``after``: a ``primary_position()`` the reads depend on. ``fresh``: the position now, so the
    block sees everything committed before it. Neither: the replica as it is, at most
    ``REPLICA_MAX_LAG_SECONDS`` behind. The block must only read (writes go to the primary anyway)."""
    if fresh and after is not None:
        raise ValueError("Name a position or ask for a fresh one, not both.")
    alias = DEFAULT_DB_ALIAS
    if configured() and not connections[DEFAULT_DB_ALIAS].in_atomic_block:
        if _resting():
            metrics.increment("replica_fallback_away")
        else:
            alias = REPLICA if _replica_can_answer(primary_position() if fresh else after) else alias
    token = _reads_go_to.set(alias)
    try:
        yield alias
    finally:
        _reads_go_to.reset(token)


def heavy_read[**P, T](read: Callable[P, T]) -> Callable[P, T]:
    """Run ``read``, which only reads, on the replica, seeing everything committed before it was
    called (``on_replica(fresh=True)``); on the primary when the replica cannot, and once more on the
    primary when the replica fails under it."""

    @wraps(read)
    def routed(*args: P.args, **kwargs: P.kwargs) -> T:
        with on_replica(fresh=True) as alias:
            try:
                return read(*args, **kwargs)
            except (OperationalError, InterfaceError) as error:
                if alias != REPLICA:
                    raise
                _replica_failed(error)
        return read(*args, **kwargs)  # outside the block: on the primary

    return routed


class ReplicaRouter:
    """``DATABASE_ROUTERS`` when a replica is configured (see the module's docstring)."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        # Always an alias, never None: a row read on the replica is read again from the primary
        # (its related rows, ``refresh_from_db``) once the block that chose the replica is over.
        return reads_go_to()

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool:
        return {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, REPLICA, None}  # one database

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS


def _replica_can_answer(after: str | None) -> bool:
    """Whether the replica may serve reads that depend on ``after``; counts the fallback when not."""
    try:
        state = _wait_for_replica(after)
    except DatabaseError as error:
        state = f"unreachable ({type(error).__name__})"
    if state == "ready":
        return True
    if state == "behind":
        _note_behind()
    else:
        _leave_alone(state)
        metrics.increment("replica_fallback_away")
    return False


def _wait_for_replica(after: str | None) -> str:
    """The replica's answer: ``ready`` once it has replayed ``after`` (asked again until
    ``REPLICA_WAIT_SECONDS`` have passed) or, with no position, while it lags by at most
    ``REPLICA_MAX_LAG_SECONDS``; ``behind`` when not; ``not a standby`` for a server that is not (or
    no longer) a replica."""
    deadline = time.monotonic() + settings.REPLICA_WAIT_SECONDS
    pauses = iter(_PAUSES)
    with connections[REPLICA].cursor() as cursor:
        while True:
            cursor.execute(_STATE, {"after": after})
            standby, replayed, lag = cursor.fetchone()
            if not standby:
                return "not a standby"
            if after is None:
                return "ready" if lag is not None and lag <= settings.REPLICA_MAX_LAG_SECONDS else "behind"
            if replayed:
                return "ready"
            pause = next(pauses, _LAST_PAUSE)
            if time.monotonic() + pause > deadline:
                return "behind"
            time.sleep(pause)


def _note_behind() -> None:
    """Counted each time, logged at most once a minute (a replica falling behind does it often)."""
    global _behind_told_at
    metrics.increment("replica_fallback_behind")
    now = time.monotonic()
    if now - _behind_told_at >= 60:
        _behind_told_at = now
        logger.warning("replica behind: heavy reads go to the primary (replica_fallback_behind)")


def _replica_failed(error: BaseException) -> None:
    """A read failed on the replica: it is read again from the primary."""
    _leave_alone(f"failed under a read ({type(error).__name__})")
    metrics.increment("replica_fallback_failed")


def _leave_alone(why: str) -> None:
    """Read from the primary for ``REST_SECONDS``, and hand the replica's connection back (a broken
    one is dropped by the pool, or closed)."""
    global _away_until
    if not _resting():
        logger.warning("replica %s: reading from the primary for %s s", why, REST_SECONDS)
    with _lock:
        _away_until = time.monotonic() + REST_SECONDS
    try:
        connections[REPLICA].close()
    except DatabaseError:
        logger.debug("the replica's connection could not be closed cleanly", exc_info=True)


def _resting() -> bool:
    return time.monotonic() < _away_until
