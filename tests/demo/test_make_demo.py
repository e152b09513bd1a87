"""`make demo` as a newcomer runs it (issue 21): on the port she picks, reachable from a phone on
the same network, sign-in e-mails printed whole, and nothing left running after Ctrl-C."""

import http.cookiejar
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from common import embedded_db
from common.network import lan_address
from tests.processes import free_port, wait_for

ROOT = Path(__file__).resolve().parents[2]
MAKE = shutil.which("make") or "make"  # a prerequisite of the project, like Python
# The machine running the suite may point the app elsewhere; the demo runs on its defaults.
NOT_FOR_THE_DEMO = (
    "APP_ENV",
    "DEBUG",
    "DATABASE_URL",
    "MIGRATION_DATABASE_URL",
    "EMBEDDED_POSTGRES_DIR",
    "CELERY_BROKER_URL",
    "PUBLIC_BASE_URL",
    "ALLOWED_HOSTS",
    "EMAIL_BACKEND",
    "DJANGO_SETTINGS_MODULE",
    "HOST",  # make reads its variables from the environment too
    "PORT",
)


@pytest.fixture
def installed(tmp_path: Path) -> str:
    """The Makefile's installation stamp, already up to date: .venv is ready, and installing is not
    what these tests are about."""
    stamp = tmp_path / "installed"
    stamp.touch()
    return f"STAMP={stamp}"


@pytest.fixture
def var_dir() -> Iterator[Path]:
    """The demo's run-time files (its embedded database among them), outside pytest's own temporary
    directory: as root the server runs as a user of its own, who must reach them, and pytest makes
    its directory private again whenever a session starts. Whatever the test left is stopped."""
    directory = Path(tempfile.mkdtemp(prefix="make-demo-"))
    directory.chmod(0o755)
    yield directory
    embedded_db.stop(directory / "postgres", force=True)
    shutil.rmtree(directory, ignore_errors=True)


def demo_env(var_dir: Path, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in NOT_FOR_THE_DEMO}
    return env | {"VAR_DIR": str(var_dir), "PYTHONUNBUFFERED": "1"} | extra


def planned(*arguments: str, env: dict[str, str]) -> str:
    """What ``make demo`` would run and print (``make -n``), without running it."""
    return subprocess.run(
        [MAKE, "-n", "demo", *arguments], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout


def test_make_demo_on_another_port_links_there(tmp_path, installed):
    plan = planned("PORT=8300", installed, env=demo_env(tmp_path))

    assert "The demo: http://127.0.0.1:8300/" in plan
    assert "manage.py runserver 127.0.0.1:8300" in plan
    assert "On a phone" not in plan


def test_make_demo_on_every_interface_links_to_this_machines_address_for_a_phone(tmp_path, installed):
    plan = planned("HOST=0.0.0.0", "PORT=8300", installed, env=demo_env(tmp_path))

    assert f"The demo: http://{lan_address()}:8300/" in plan
    assert f"On a phone on the same network, open http://{lan_address()}:8300/" in plan
    assert "manage.py runserver 0.0.0.0:8300" in plan


def test_a_public_base_url_of_her_own_wins(tmp_path, installed):
    env = demo_env(tmp_path, PUBLIC_BASE_URL="https://demo.example")

    assert "The demo: https://demo.example/" in planned("HOST=0.0.0.0", "PORT=8300", installed, env=env)


def _listens(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


def _an_email_address_in(env: dict[str, str]) -> str:
    """A seeded customer's e-mail address, from the demo's database (a process of its own, which
    joins the embedded server the demo started, and leaves it)."""
    code = (
        "from customers.models import CustomerIdentifier as I; "
        "print(I.objects.filter(kind='email', namespace='', customer__erased_at__isnull=True)"
        ".order_by('pk').values_list('value', flat=True)[0])"
    )
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True, timeout=120,
    ).stdout.strip()  # fmt: skip


def _ask_for_a_sign_in_link(base: str, email: str) -> None:
    """As her phone does: open the privacy centre (its CSRF cookie), then ask for a link."""
    phone = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    page = phone.open(f"{base}/me/", timeout=30).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token, page
    form = urllib.parse.urlencode({"csrfmiddlewaretoken": token.group(1), "contact": email}).encode()
    assert phone.open(f"{base}/me/sign-in/", data=form, timeout=30).status == 200


def test_make_demo_serves_a_phone_prints_mail_whole_and_stops_its_database_on_ctrl_c(
    tmp_path, var_dir, installed
):
    port = free_port()
    base = f"http://{lan_address()}:{port}"
    env = demo_env(var_dir)
    data = var_dir / "postgres"
    log = tmp_path / "demo.log"
    with log.open("w") as terminal:
        # A session of its own, as a terminal's: Ctrl-C is SIGINT to all of its processes at once.
        make = subprocess.Popen(
            [MAKE, "demo", "HOST=0.0.0.0", f"PORT={port}", "DEMO_CUSTOMERS=100", installed],
            cwd=ROOT, env=env, stdout=terminal, stderr=subprocess.STDOUT, start_new_session=True,
            # As a terminal's shell starts it: Ctrl-C at its default. A job a script started in the
            # background (CI's, say) inherits SIGINT ignored, and so would the demo.
            preexec_fn=_interruptible,
        )  # fmt: skip
    try:
        # Migrating and seeding on a busy machine: a generous bound.
        wait_for(lambda: _listens(port) or make.poll() is not None, timeout=600, what="the demo to serve")
        assert make.poll() is None, log.read_text()
        assert f"On a phone on the same network, open {base}/" in log.read_text()

        # The phone reaches it at this machine's address, and the e-mail prints its link whole.
        _ask_for_a_sign_in_link(base, _an_email_address_in(env))
        wait_for(lambda: "/me/link/" in log.read_text(), timeout=30, what="the sign-in e-mail")
        assert re.search(rf"^{re.escape(base)}/me/link/\S+/$", log.read_text(), re.MULTILINE), log.read_text()

        os.killpg(make.pid, signal.SIGINT)  # Ctrl-C
        ctrl_c = time.monotonic()
        try:
            make.wait(timeout=60)
        except subprocess.TimeoutExpired:
            pytest.fail(f"make demo still running 60 s after Ctrl-C:\n{log.read_text()[-3000:]}")
        stopping = time.monotonic() - ctrl_c
        assert not embedded_db.is_running(data), (
            f"the embedded PostgreSQL outlived the demo:\n{log.read_text()[-3000:]}"
        )
        said = log.read_text()
        assert f"The embedded PostgreSQL ({data}) is stopped." in said or (
            f"Stopped the embedded PostgreSQL ({data})." in said
        ), said[-3000:]
        print(f"make demo exited {stopping:.1f} s after Ctrl-C")
    finally:
        if make.poll() is None:
            os.killpg(make.pid, signal.SIGTERM)
            make.wait(timeout=60)


def _interruptible() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)
