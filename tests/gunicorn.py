"""A real gunicorn serving the project, with its own configuration file, for tests about what only
several processes behind a real server show (a shared throttle, the access log)."""

import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

from tests.processes import child_env, free_port


@dataclass
class Server:
    url: str
    log: Path

    def access_lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.log.read_text().splitlines() if '"gunicorn.access"' in line]

    def wait_for_access_lines(self, count: int, timeout: float = 30) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while len(lines := self.access_lines()) < count:
            assert time.monotonic() < deadline, self.log.read_text()
            time.sleep(0.05)
        return lines


@contextmanager
def gunicorn(tmp_path: Path, *, workers: int = 1, **env: str) -> Iterator[Server]:
    """gunicorn on a free local port, started the way production starts it; stopped by PID."""
    port = free_port()
    log = tmp_path / "gunicorn.log"
    environment = child_env(GUNICORN_BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY=str(workers), **env)
    with log.open("w") as out:
        process = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "-c",
                "python:clienteling.gunicorn_conf",
                "clienteling.wsgi",
            ],
            cwd=settings.BASE_DIR,
            env=environment,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while True:  # wait until it listens
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert process.poll() is None, log.read_text()
                assert time.monotonic() < deadline, "gunicorn did not start:\n" + log.read_text()
                time.sleep(0.1)
        yield Server(f"http://127.0.0.1:{port}", log)
    finally:
        process.terminate()
        process.wait(timeout=30)
