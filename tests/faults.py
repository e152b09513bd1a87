"""Parts the fault tests own: a Redis server of their own on a free port, which they stop and start
again (never the machine's), and a Celery worker bound to it."""

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import redis
from celery.contrib.testing.worker import start_worker

from clienteling.celery import app
from tests.processes import free_port, wait_for


class OwnRedis:
    """``redis-server`` on a free port, in memory only (no snapshot, no append-only file): stopping
    it loses what it held, as a crash of an unpersisted broker does."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.directory = Path(tempfile.mkdtemp(prefix="own-redis-"))
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise AssertionError("redis-server is not on the PATH (apt-get install redis-server)")
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for(self.answers, timeout=30, what=f"redis-server on port {self.port}")

    def stop(self) -> None:
        """Kill it outright (SIGKILL), as a crash would."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)
        self.process = None

    def answers(self) -> bool:
        try:
            return bool(redis.Redis.from_url(self.url, socket_connect_timeout=0.5).ping())
        except redis.exceptions.RedisError:
            return False

    def queued(self, queue: str = "celery") -> int:
        return int(redis.Redis.from_url(self.url).llen(queue))

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)


@contextlib.contextmanager
def own_redis() -> Iterator[OwnRedis]:
    server = OwnRedis()
    server.start()
    try:
        yield server
    finally:
        server.cleanup()


@contextlib.contextmanager
def broker(url: str) -> Iterator[None]:
    """This process publishes to ``url`` (a real broker, not the tests' in-process default)."""
    from tests.conftest import _forget_connections

    saved = {key: app.conf[key] for key in ("broker_url", "result_backend", "task_always_eager")}
    saved_environment = os.environ.get("CELERY_BROKER_URL")
    os.environ["CELERY_BROKER_URL"] = url  # Celery reads the environment's broker before its own
    app.conf.update(broker_url=url, result_backend=url, task_always_eager=False)
    _forget_connections()
    try:
        yield
    finally:
        if saved_environment is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = saved_environment
        app.conf.update(saved)
        _forget_connections()


@contextlib.contextmanager
def worker() -> Iterator[None]:
    """A real Celery worker, in a thread of this process, on the broker ``broker`` set."""
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        yield


class OwnPostgres:
    """A PostgreSQL server of the test's own (Debian's binaries, ``pg_config --bindir``) on a free
    port, in a throwaway directory; ``crash`` stops it as a crash would (immediate shutdown: no
    checkpoint, recovery on the next start), ``start`` brings it back on the same port and data."""

    def __init__(self) -> None:
        self.port = free_port()
        self.directory = Path(tempfile.mkdtemp(prefix="own-postgres-"))
        self.data = self.directory / "data"
        pg_config = shutil.which("pg_config")
        if pg_config is None:
            raise AssertionError("pg_config is not on the PATH (apt-get install postgresql)")
        self.bindir = Path(subprocess.check_output([pg_config, "--bindir"], text=True).strip())
        self.process: subprocess.Popen[bytes] | None = None
        self._run_as: dict[str, int] = {}
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root: run it as the postgres user
            import pwd

            account = pwd.getpwnam("postgres")
            self._run_as = {"user": account.pw_uid, "group": account.pw_gid}
            os.chown(self.directory, account.pw_uid, account.pw_gid)
        subprocess.run(
            [str(self.bindir / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust",
             "--no-sync", "-E", "UTF8", "--locale=C"],
            check=True, capture_output=True, **self._run_as,  # type: ignore[arg-type]
        )  # fmt: skip

    def owner_url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [str(self.bindir / "postgres"), "-D", str(self.data), "-p", str(self.port),
             "-c", "listen_addresses=127.0.0.1", "-c", f"unix_socket_directories={self.directory}",
             "-c", "fsync=off", "-c", "max_connections=50"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **self._run_as,  # type: ignore[arg-type]
        )  # fmt: skip
        wait_for(self.answers, timeout=60, what=f"PostgreSQL on port {self.port}")

    def answers(self) -> bool:
        import psycopg

        try:
            with psycopg.connect(self.owner_url(), connect_timeout=1) as probe:
                probe.execute("SELECT 1")
            return True
        except psycopg.Error:
            return False

    def crash(self) -> None:
        """Immediate shutdown (SIGQUIT to the postmaster): every connection is cut, nothing is flushed."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)
            self.process.wait(timeout=60)
        self.process = None

    def cleanup(self) -> None:
        self.crash()
        shutil.rmtree(self.directory, ignore_errors=True)


@contextlib.contextmanager
def own_postgres() -> Iterator[OwnPostgres]:
    server = OwnPostgres()
    server.start()
    try:
        yield server
    finally:
        server.cleanup()


class OwnReplica(OwnPostgres):
    """A hot standby of ``primary`` (an ``OwnPostgres`` already started) on a free port of its own:
    a base backup of it (``pg_basebackup -R -X stream``, which also writes the standby's
    ``primary_conninfo`` and ``standby.signal``), streaming its WAL from then on. ``crash`` and
    ``start`` work as for the primary; ``replay_pause`` holds replay, so the standby falls behind
    on purpose while it keeps receiving."""

    def __init__(self, primary: OwnPostgres) -> None:  # no initdb: the base backup is its data
        self.port = free_port()
        self.directory = Path(tempfile.mkdtemp(prefix="own-replica-"))
        self.data = self.directory / "data"
        self.bindir = primary.bindir
        self.process = None
        self._run_as = primary._run_as
        if self._run_as:
            os.chown(self.directory, self._run_as["user"], self._run_as["group"])
        subprocess.run(
            [str(self.bindir / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres",
             "-D", str(self.data), "-X", "stream", "-R", "--checkpoint=fast", "--no-sync"],
            check=True, capture_output=True, timeout=120, **self._run_as,  # type: ignore[arg-type]
        )  # fmt: skip

    def _one(self, sql: str, *params: object) -> object:
        import psycopg

        with psycopg.connect(self.owner_url(), autocommit=True, connect_timeout=5) as admin:
            row = admin.execute(sql, params).fetchone()
            return row[0] if row else None

    def has_received(self, position: str) -> bool:
        return bool(self._one("SELECT pg_last_wal_receive_lsn() >= %s::pg_lsn", position))

    def has_replayed(self, position: str) -> bool:
        return bool(self._one("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", position))

    def replay_pause(self) -> None:
        self._one("SELECT pg_wal_replay_pause()")

    def replay_resume(self) -> None:
        self._one("SELECT pg_wal_replay_resume()")


def primary_position(primary: OwnPostgres) -> str:
    import psycopg

    with psycopg.connect(primary.owner_url(), autocommit=True, connect_timeout=5) as admin:
        row = admin.execute("SELECT pg_current_wal_lsn()::text").fetchone()
        assert row is not None
        return str(row[0])


@contextlib.contextmanager
def streaming_pair() -> Iterator[tuple[OwnPostgres, OwnReplica]]:
    """A primary and its streaming hot standby, both of the test's own; the standby has replayed all
    the primary had written when it is handed over. Both are stopped after, whatever happened."""
    primary = OwnPostgres()
    replica: OwnReplica | None = None
    # PostgreSQL 15's defaults, said here because the pair depends on them; initdb's pg_hba.conf
    # already trusts replication connections from 127.0.0.1.
    with (primary.data / "postgresql.conf").open("a") as conf:
        conf.write("wal_level = replica\nmax_wal_senders = 5\nhot_standby = on\n")
    try:
        primary.start()
        replica = OwnReplica(primary)
        replica.start()
        position = primary_position(primary)
        wait_for(lambda: replica is not None and replica.has_replayed(position), timeout=60, what="replay")
        yield primary, replica
    finally:
        if replica is not None:
            replica.cleanup()
        primary.cleanup()
