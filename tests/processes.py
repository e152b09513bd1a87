"""Other processes on the test database: a server, a worker, as production runs them; a free port
for one, and a bounded wait on a condition."""

import os
import socket
import time
from collections.abc import Callable
from urllib.parse import quote

from django.conf import settings
from django.db import connection


def database_url_for_tests(*, as_owner: bool = False) -> str:
    """A DATABASE_URL for the test database as the app's runtime role (or its owner), through the
    embedded server's socket or the configured host, so a process of its own reads what a
    transactional test committed."""
    params = connection.get_connection_params()
    if as_owner:
        owner = settings.DATABASE_OWNER or {}
        params |= {"user": owner.get("USER") or params.get("user"), "password": owner.get("PASSWORD")}
    host = quote(str(params.get("host") or "127.0.0.1"), safe="")
    user = quote(str(params.get("user") or "postgres"), safe="")
    password = f":{quote(str(params['password']), safe='')}" if params.get("password") else ""
    name = connection.settings_dict["NAME"]
    return f"postgres://{user}{password}@{host}:{params.get('port') or 5432}/{name}"


def child_env(**extra: str) -> dict[str, str]:
    """This process's environment for a child on the test database, as the runtime role only (the
    owner's URL names the other database, and a child never needs it)."""
    env = {key: value for key, value in os.environ.items() if key != "MIGRATION_DATABASE_URL"}
    return (
        env
        | {"DATABASE_URL": database_url_for_tests(), "DJANGO_SETTINGS_MODULE": "clienteling.settings"}
        | extra
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(condition: Callable[[], object], *, timeout: float = 60, what: str = "the condition") -> None:
    """Until ``condition()`` is true, or fail after ``timeout`` seconds (a bound, not a pace)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)
