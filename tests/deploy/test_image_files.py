"""The Dockerfile and compose.yaml say what README "Running in production" says: no image can be built
here (no daemon, no registry), so what they promise is read from the files themselves; the install
steps they run are proven by test_production_path.py."""

import os
import re
import shutil
import stat
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from django.conf import settings

from tests.deploy.production import image_steps

SOURCE = Path(settings.BASE_DIR)
APP_SERVICES = {"migrate", "web", "worker", "beat"}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load((SOURCE / "compose.yaml").read_text())


def final_stage() -> list[str]:
    text = (SOURCE / "Dockerfile").read_text()
    return text.split("\nFROM ")[-1].splitlines()


def test_the_image_builds_in_two_stages_and_runs_as_a_user_of_its_own_without_compilers():
    dockerfile = (SOURCE / "Dockerfile").read_text()
    assert len(re.findall(r"^FROM ", dockerfile, flags=re.MULTILINE)) == 2
    final = "\n".join(final_stage())
    assert "COPY --from=build /opt/clienteling /opt/clienteling" in final
    users = re.findall(r"^USER (\S+)", final, flags=re.MULTILINE)
    assert users
    assert users[-1] not in {"root", "0"}
    assert not re.search(r"apt-get install|gcc|build-essential|COPY \. ", final)
    assert "--config" in final
    assert "python:clienteling.gunicorn_conf" in final


def test_the_dockerfile_runs_every_install_step_the_smoke_test_runs():
    assert [step for step, *_ in image_steps()] == ["wheel", "venv", "static"]
    assert any("image-install static" in line for line in final_stage()), "static files at build time"


def test_every_long_running_service_has_a_health_check_and_a_restart_policy(compose):
    services = compose["services"]
    assert set(services) == APP_SERVICES | {"db", "redis"}
    for name in ("web", "worker", "beat", "db", "redis"):
        assert services[name].get("healthcheck", {}).get("test"), f"{name} has no health check"
        assert services[name].get("restart") == "unless-stopped", name
    assert services["migrate"]["restart"] == "no"
    assert "create_runtime_role" in " ".join(services["migrate"]["command"])
    assert "migrate" in " ".join(services["migrate"]["command"])
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_only_the_migrations_hold_the_owners_password_and_secrets_come_from_files(compose):
    services = compose["services"]
    for name in APP_SERVICES:
        environment = services[name]["environment"]
        assert ("MIGRATION_DATABASE_URL_FILE" in environment) == (name == "migrate"), name
        for key, value in environment.items():
            assert not re.search(r"(SECRET|PASSWORD|TOKEN|DATABASE_URL)$", key), f"{name}: {key} in the open"
            if key.endswith("_FILE"):
                secret = value.removeprefix("/run/secrets/")
                assert secret in services[name]["secrets"], f"{name} reads {value} without the secret"
    assert services["db"]["environment"]["POSTGRES_PASSWORD_FILE"] == "/run/secrets/db_superuser_password"
    assert services["db"]["environment"]["OWNER_PASSWORD_FILE"] == "/run/secrets/db_owner_password"
    assert (
        "./scripts/compose-db-init:/docker-entrypoint-initdb.d/clienteling.sh:ro" in services["db"]["volumes"]
    )
    assert all(entry["file"].startswith("./secrets/") for entry in compose["secrets"].values())


def test_the_web_and_the_worker_share_the_downloads_and_the_erasure_ledger_and_one_beat_runs(compose):
    services = compose["services"]
    for name in ("web", "worker"):
        assert "media:/var/lib/clienteling/media" in services[name]["volumes"]
    for name in APP_SERVICES:  # wherever an erasure may run, and replay_erasures after a restore
        assert "ledger:/var/lib/clienteling/ledger" in services[name]["volumes"], name
        ledger = services[name]["environment"]["ERASURE_LEDGER_PATH"]
        assert ledger.startswith("/var/lib/clienteling/ledger/"), name
    assert "deploy" not in services["beat"]  # never scaled: exactly one scheduler
    assert "ports" not in services["worker"], "the worker's metrics stay on the compose network"


def test_the_secrets_script_makes_every_file_compose_reads_private_and_consistent(compose, tmp_path):
    shutil.copytree(SOURCE / "scripts", tmp_path / "scripts")
    subprocess.run([tmp_path / "scripts" / "compose-secrets"], check=True, capture_output=True)
    made = tmp_path / "secrets"
    for entry in compose["secrets"].values():
        path = tmp_path / entry["file"]
        assert path.is_file(), entry["file"]
        # Readable by the app's own user inside the containers; private by the folder on this host.
        assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert stat.S_IMODE(made.stat().st_mode) == 0o700
    for name in ("secret_key", "db_superuser_password", "db_owner_password", "metrics_token", "database_url"):
        assert (made / name).stat().st_size > 0, name
    owner = urlsplit((made / "migration_database_url").read_text())
    runtime = urlsplit((made / "database_url").read_text())
    assert (owner.username, owner.hostname, owner.path) == ("clienteling_owner", "db", "/clienteling")
    assert "clienteling_owner" in (SOURCE / "scripts" / "compose-db-init").read_text()
    assert owner.password == (made / "db_owner_password").read_text()
    assert runtime.username == "clienteling_app"
    assert runtime.password != owner.password
    before = {p.name: p.read_text() for p in made.iterdir()}
    subprocess.run([tmp_path / "scripts" / "compose-secrets"], check=True, capture_output=True)
    assert {p.name: p.read_text() for p in made.iterdir()} == before, "running it again keeps them"
    assert os.access(SOURCE / "scripts" / "image-install", os.X_OK)
