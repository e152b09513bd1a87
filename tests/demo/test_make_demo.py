"""`make demo` as a newcomer runs it (issue 21): on the port she picks, reachable from a phone on
the same network, sign-in e-mails printed whole, and nothing left running after Ctrl-C."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from common.network import lan_address

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
