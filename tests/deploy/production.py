"""The production path as an operator walks it, for tests/deploy: the image's install steps (read from
the Dockerfile, run by scripts/image-install) into a folder outside the source tree, the app started
from there as production starts it, and a client that talks to it as a browser behind a TLS proxy."""

import email
import fnmatch
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from email.message import Message
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import requests
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope
from django.conf import settings

from tests.processes import free_port, wait_for

SOURCE = Path(settings.BASE_DIR)
HOST = "clienteling.example.com"


def image_steps() -> list[tuple[str, str, str]]:
    """The ``image-install`` steps the Dockerfile runs, in its order: (step, from, to)."""
    steps = []
    for line in (SOURCE / "Dockerfile").read_text().splitlines():
        if line.startswith("RUN ") and "image-install " in line:
            words = shlex.split(line.split("image-install ", 1)[1])
            steps.append((words[0], words[1], words[2]))
    return steps


def copy_build_context(destination: Path) -> None:
    """The source tree as Docker's build context sees it: less what .dockerignore leaves out."""
    patterns = [
        line.strip()
        for line in (SOURCE / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]

    def ignored(_: str, names: list[str]) -> set[str]:
        return {name for name in names if any(fnmatch.fnmatch(name, pattern) for pattern in patterns)}

    shutil.copytree(SOURCE, destination, ignore=ignored, symlinks=True)


def install_as_the_image_does(root: Path) -> dict[str, Path]:
    """Run the Dockerfile's install steps with its absolute paths moved under ``root``; returns
    where each of its paths ended up."""
    steps = image_steps()
    paths = sorted({path for _, *pair in steps for path in pair}, key=len, reverse=True)
    moved = {path: root / path.lstrip("/") for path in paths}
    copy_build_context(moved["/src"])
    script = moved["/src"] / "scripts" / "image-install"
    for step, source, target in steps:
        subprocess.run(
            [str(script), step, str(moved[source]), str(moved[target])],
            env=clean_env(PYTHON=sys.executable),
            check=True,
            capture_output=True,
            timeout=600,
        )
    return moved


def clean_env(**extra: str) -> dict[str, str]:
    """An environment with nothing of this checkout in it: no virtualenv, no PYTHONPATH."""
    path = ":".join(part for part in ("/usr/local/bin", "/usr/bin", "/bin") if Path(part).is_dir())
    return {"PATH": path, "HOME": str(Path.home()), "LANG": "C.UTF-8"} | extra


@dataclass
class Deployment:
    venv: Path
    env: dict[str, str]
    workdir: Path
    logs: Path
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def command(self, *args: str, timeout: float = 600, **extra: str) -> str:
        """``clienteling ARGS`` as the operator types it; its output, or the failure with it."""
        result = subprocess.run(
            [str(self.venv / "bin" / "clienteling"), *args],
            cwd=self.workdir,
            env=self.env | extra,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        assert result.returncode == 0, f"clienteling {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
        return result.stdout + result.stderr

    def start(self, name: str, *args: str, **extra: str) -> subprocess.Popen[bytes]:
        with (self.logs / f"{name}.log").open("wb") as log:
            process = subprocess.Popen(
                [str(self.venv / "bin" / args[0]), *args[1:]],
                cwd=self.workdir,
                env=self.env | extra,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.processes.append(process)
        return process

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")

    def stop(self) -> None:
        """Stop what it started, by PID: SIGTERM, then SIGKILL after 30 s."""
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=30)


@dataclass
class MailServer:
    """A real SMTP server on a free local port (aiosmtpd), keeping what it is sent."""

    port: int
    received: list[Message] = field(default_factory=list)

    async def handle_DATA(self, server: object, session: object, envelope: Envelope) -> str:
        assert isinstance(envelope.content, bytes)
        self.received.append(email.message_from_bytes(envelope.content))
        return "250 OK"

    def text_to(self, address: str) -> str:
        """The text of the last message to ``address``, decoded (waiting for one: a worker may send it)."""
        wait_for(lambda: any(m["To"] == address for m in self.received), what=f"an e-mail to {address}")
        found = [m for m in self.received if m["To"] == address]
        part = next(p for p in found[-1].walk() if p.get_content_type() == "text/plain")
        payload = part.get_payload(decode=True)
        assert isinstance(payload, bytes)
        return payload.decode(part.get_content_charset() or "utf-8")


@contextmanager
def mail_server() -> Iterator[MailServer]:
    server = MailServer(free_port())
    controller = Controller(server, hostname="127.0.0.1", port=server.port)
    controller.start()
    try:
        yield server
    finally:
        controller.stop()


@contextmanager
def listening(
    deployment: Deployment, port: int, process: subprocess.Popen[bytes], name: str
) -> Iterator[str]:
    def answers() -> bool:
        assert process.poll() is None, f"{name} stopped:\n{deployment.log(name)}"
        try:
            return requests.get(f"http://127.0.0.1:{port}/livez", headers={"Host": HOST}, timeout=5).ok
        except requests.RequestException:  # not listening yet, or too busy starting to answer
            return False

    wait_for(answers, timeout=120, what=f"{name} to answer")
    yield f"http://127.0.0.1:{port}"


@contextmanager
def running(deployment: Deployment) -> Iterator[str]:
    """gunicorn (2 workers) and a Celery worker, as production starts them; stopped by PID."""
    with ExitStack() as stack:
        stack.callback(deployment.stop)
        port = free_port()
        web = deployment.start(
            "gunicorn",
            "gunicorn", "--config", "python:clienteling.gunicorn_conf", "clienteling.wsgi",
            GUNICORN_BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY="2",
        )  # fmt: skip
        deployment.start(
            "worker", "celery", "-A", "clienteling", "worker", "--concurrency", "1", "--pool", "solo"
        )
        yield stack.enter_context(listening(deployment, port, web, "gunicorn"))


class Browser:
    """A browser behind the TLS proxy production sits behind: it sends the site's host name and
    ``X-Forwarded-Proto: https``, keeps cookies (secure ones too: the proxy carries them over TLS),
    sends the CSRF token with each form, and follows redirects."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, data: dict[str, object] | None = None) -> requests.Response:
        url = urljoin(self.base, path)
        for _ in range(10):
            headers = {"Host": HOST, "X-Forwarded-Proto": "https"}
            if self.cookies:
                headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            if method == "POST":
                headers |= {"Origin": f"https://{HOST}", "Referer": f"https://{HOST}{urlsplit(url).path}"}
                data = {"csrfmiddlewaretoken": self.cookies.get("csrftoken", "")} | (data or {})
            response = requests.request(
                method, url, headers=headers, data=data, allow_redirects=False, timeout=30
            )
            for header in response.raw.headers.getlist("Set-Cookie"):
                for name, morsel in SimpleCookie(header).items():
                    if morsel["max-age"] == "0" or not morsel.value:
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value
            if response.status_code not in (301, 302, 303):
                return response
            location = response.headers["Location"]
            if location.startswith("https://"):  # the proxy's own address: the same server
                location = urlsplit(location)._replace(scheme="", netloc="").geturl()
            url, method, data = urljoin(url, location), "GET", None
        raise AssertionError(f"too many redirects from {path}")

    def get(self, path: str) -> requests.Response:
        return self.request("GET", path)

    def post(self, path: str, data: dict[str, object] | None = None) -> requests.Response:
        return self.request("POST", path, data)

    def page(self, path: str) -> str:
        response = self.get(path)
        assert response.status_code == 200, (path, response.status_code, response.text[:2000])
        # Start from a page so that the CSRF cookie is set, as a browser would.
        return response.text


def first(pattern: str, text: str) -> str:
    found = re.search(pattern, text)
    assert found, f"{pattern!r} not found in:\n{text[:3000]}"
    return found.group(1)


def wait_for_page(browser: Browser, path: str, pattern: str, *, timeout: float = 120) -> str:
    """The page, once ``pattern`` is on it (a worker's job showing up), else fail after ``timeout``."""
    seen: list[str] = []

    def shows() -> bool:
        seen[:] = [browser.page(path)]
        return re.search(pattern, seen[0]) is not None

    wait_for(shows, timeout=timeout, what=f"{pattern!r} on {path}")
    return first(f"({pattern})", seen[0])
