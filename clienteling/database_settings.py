"""The database: PostgreSQL with two roles, the embedded server in development and tests, an optional
read replica; star-imported by ``settings.py`` (see README, "Configuration", "Running in production")."""

from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from psycopg_pool import ConnectionPool

from clienteling.place_settings import VAR_DIR
from common.env import env_bool, env_int, env_str

# Database: PostgreSQL only, with two roles (common/db_roles.py). DATABASE_URL is the runtime role the
# app runs as (web, workers, beat); MIGRATION_DATABASE_URL, the owner of the tables, which migrations
# run as. Unset, the embedded server (development and tests) is used, with both roles made for you.
DATABASE_URL = env_str("DATABASE_URL")
MIGRATION_DATABASE_URL = env_str("MIGRATION_DATABASE_URL")
# Optional: a PostgreSQL streaming replica of the same database, for the heavy reads that opt in
# (common/replica.py: the dashboard's figures, a customer's download, breach reports); every other
# read, every write and every migration stays on DATABASE_URL. As the runtime role, like DATABASE_URL.
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL")
# A heavy read that depends on writes waits this long for the replica to have replayed them (and,
# pooled, for a connection to it), then reads from the primary; one that names no write reads from
# the replica only while it is at most REPLICA_MAX_LAG_SECONDS behind.
REPLICA_WAIT_SECONDS = env_int("REPLICA_WAIT_SECONDS", 1, minimum=0)
REPLICA_MAX_LAG_SECONDS = env_int("REPLICA_MAX_LAG_SECONDS", 30, minimum=0)
EMBEDDED_RUNTIME_ROLE = "clienteling_app"


def _postgres(url: str, name: str) -> dict[str, Any]:
    """The DATABASES entry for the URL in setting ``name``, pooled (DATABASE_POOL…) and bounded."""
    database: dict[str, Any] = dict(dj_database_url.parse(url))
    if not str(database.get("ENGINE", "")).endswith("postgresql"):
        raise ImproperlyConfigured(f"{name} must be a postgres:// URL; PostgreSQL is the only database.")
    if env_bool("DATABASE_POOL", default=True):
        # Django's psycopg 3 pool; persistent connections (CONN_MAX_AGE) must stay off with it.
        database["CONN_MAX_AGE"] = 0
        # Added to what the URL says (sslmode, sslrootcert, target_session_attrs…), never instead.
        database.setdefault("OPTIONS", {}).update(
            {
                "pool": {
                    "min_size": env_int("DATABASE_POOL_MIN_SIZE", 1, minimum=0),
                    "max_size": env_int("DATABASE_POOL_MAX_SIZE", 10, minimum=1),
                    # A request waits this long for a connection before a 503 (common/db_outage.py): a
                    # web process uses one at a time, so waiting longer only means the database is away.
                    "timeout": env_int("DATABASE_POOL_TIMEOUT", 3, minimum=1),
                    # A connection is checked as it is handed out, so none broken by a restart is used.
                    "check": ConnectionPool.check_connection,
                },
                "connect_timeout": env_int("DATABASE_CONNECT_TIMEOUT", 3, minimum=1),
            }
        )
    return database


_database: dict[str, Any]
DATABASE_OWNER: dict[str, Any] | None = None
if DATABASE_URL:
    _database = _postgres(DATABASE_URL, "DATABASE_URL")
    if MIGRATION_DATABASE_URL:
        _owner = dict(dj_database_url.parse(MIGRATION_DATABASE_URL))
        if _owner.get("NAME") != _database.get("NAME"):
            raise ImproperlyConfigured("MIGRATION_DATABASE_URL must name the same database as DATABASE_URL.")
        DATABASE_OWNER = {key: _owner.get(key) for key in ("USER", "PASSWORD", "HOST", "PORT")}
else:
    _database = {
        "ENGINE": "common.embedded_postgresql",
        "NAME": "clienteling",
        "USER": EMBEDDED_RUNTIME_ROLE,
        "EMBEDDED_DIR": env_str("EMBEDDED_POSTGRES_DIR", str(VAR_DIR / "postgres")),
        "EMBEDDED_DATABASE": "clienteling",
        "EMBEDDED_RUNTIME_ROLE": EMBEDDED_RUNTIME_ROLE,
    }
    DATABASE_OWNER = {"USER": "postgres"}  # the embedded server's own superuser
DATABASES = {"default": _database}
DATABASE_ROUTERS: list[str] = []
if DATABASE_REPLICA_URL:
    if not DATABASE_URL:
        raise ImproperlyConfigured("DATABASE_REPLICA_URL needs DATABASE_URL: a replica of which primary?")
    _replica = _postgres(DATABASE_REPLICA_URL, "DATABASE_REPLICA_URL")
    if _replica.get("NAME") != _database.get("NAME"):
        raise ImproperlyConfigured("DATABASE_REPLICA_URL must name the same database as DATABASE_URL.")
    if "pool" in _replica.get("OPTIONS", {}):
        # The replica is only a faster way to the same rows: a heavy read waits for a connection to it
        # no longer than it would wait for its data, then reads from the primary.
        _replica["OPTIONS"]["pool"]["timeout"] = max(REPLICA_WAIT_SECONDS, 1)
    # The test database has no replica: the alias reads the test database itself.
    _replica["TEST"] = {"MIRROR": "default"}
    DATABASES["replica"] = _replica
    DATABASE_ROUTERS = ["common.replica.ReplicaRouter"]
# Name search matches a typed word against part of a name (pg_trgm word similarity); pg_trgm's
# default threshold of 0.6 misses ordinary typos such as "shiobhan" for "siobhan" (0.56).
# JIT compilation pays off for long analytical queries, not for the app's short ones: at a million
# customers it added ~25 ms to a 60 ms name search (bench/tablet.py). Off for the app's connections.
_server_options = "-c pg_trgm.word_similarity_threshold=0.5 -c jit=off"
for _entry in DATABASES.values():
    _options = _entry.setdefault("OPTIONS", {})
    _options["options"] = " ".join(part for part in (_options.get("options", ""), _server_options) if part)
