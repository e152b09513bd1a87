"""The customer's pages, messages and policy in her language: picked from the browser, switchable."""

import gettext
import re
from pathlib import Path

import pytest
from django.core import mail

from consent.models import ConsentEvent
from consent.services import ensure_purposes
from consent.tokens import collection_point_token
from tests.catalogue import CATALOGUE, translations
from tests.factories import CollectionPointFactory

pytestmark = pytest.mark.django_db

FRENCH = {"HTTP_ACCEPT_LANGUAGE": "fr-FR,fr;q=0.9,en;q=0.5"}


@pytest.fixture(autouse=True)
def purposes(db):
    ensure_purposes()


@pytest.fixture
def join_url(store):
    point = CollectionPointFactory(store=store, code="till-1", name="Till 1")
    return f"/join/{collection_point_token(point.pk)}/"


def test_the_opt_in_page_speaks_the_language_her_phone_asks_for(client, join_url):
    response = client.get(join_url, **FRENCH)

    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="fr">' in page
    assert "Ce que vous acceptez" in page
    assert "Me contacter par e-mail" in page  # the purposes, too
    assert "Vos droits" in page  # the policy sections come from the French text


def test_a_browser_asking_for_a_language_we_do_not_have_gets_english(client, join_url):
    page = client.get(join_url, HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9").content.decode()

    assert '<html lang="en">' in page
    assert "What you agree to" in page


def test_she_can_switch_language_and_stays_on_the_same_page(client, join_url):
    english = client.get(join_url)
    assert "What you agree to" in english.content.decode()

    response = client.post("/i18n/setlang/", {"language": "fr", "next": join_url})

    assert response.status_code == 302
    assert response["Location"] == join_url
    assert "Ce que vous acceptez" in client.get(join_url).content.decode()


def test_a_french_opt_in_records_the_french_policy_and_writes_to_her_in_french(
    client, join_url, django_capture_on_commit_callbacks
):
    response = client.post(
        join_url, {"purposes": ["profile"], "contact": "zoe@example.fr", "given_name": "Zoë"}, **FRENCH
    )
    state = re.search(r'name="state" value="([^"]+)"', response.content.decode()).group(1)
    assert "Saisissez votre code" in response.content.decode()
    code_mail = mail.outbox[-1]
    assert code_mail.subject.startswith("Votre code")
    code = re.search(r"\b(\d{6})\b", code_mail.body).group(1)

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/join/verify/", {"state": state, "code": code}, **FRENCH)

    event = ConsentEvent.objects.get()
    assert event.policy_version.language == "fr"
    receipt = mail.outbox[-1]
    assert receipt.subject == "Vos choix chez London Marylebone"
    assert "Les conseillers peuvent voir mon profil" in receipt.body


def test_a_mistyped_number_is_explained_in_her_language(client, join_url):
    response = client.post(join_url, {"purposes": ["profile"], "contact": "12"}, **FRENCH)

    assert response.status_code == 422
    assert "numéro de téléphone" in response.content.decode()
    assert not mail.outbox


def test_every_french_string_is_translated_and_compiled():
    po_text = (CATALOGUE / "django.po").read_text()
    assert "#, fuzzy" not in po_text
    entries = translations(po_text)
    assert len(entries) > 150
    untranslated = [msgid for msgid, msgstr in entries.items() if not msgstr]
    assert untranslated == []

    with (CATALOGUE / "django.mo").open("rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)
    stale = [msgid for msgid, msgstr in entries.items() if catalogue.gettext(msgid) != msgstr]
    assert stale == [], "run: manage.py compilemessages -l fr --ignore=.venv"


def test_no_marked_string_is_missing_from_the_french_catalogue(tmp_path, settings, monkeypatch):
    """Extract the strings afresh, as makemessages would, from a linked copy of the source tree (so the
    committed catalogue is not touched), and compare with the committed catalogue."""
    from django.core.management import call_command

    root = Path(settings.BASE_DIR)
    tree = tmp_path / "src"
    (tree / "locale" / "fr" / "LC_MESSAGES").mkdir(parents=True)
    for entry in root.iterdir():
        if entry.name not in {
            ".venv",
            ".git",
            "bench",
            "tests",
            "demo",
            "clienteling",
            "var",
            "media",
            "build",
        }:
            (tree / entry.name).symlink_to(entry)
    # The project package holds the committed catalogue: link all of it but that.
    (tree / "clienteling").mkdir()
    for entry in (root / "clienteling").iterdir():
        if entry.name != "locale":
            (tree / "clienteling" / entry.name).symlink_to(entry)
    settings.LOCALE_PATHS = [tree / "locale"]
    monkeypatch.chdir(tree)
    call_command("makemessages", locale=["fr"], symlinks=True, verbosity=0)

    extracted = set(translations((tree / "locale" / "fr" / "LC_MESSAGES" / "django.po").read_text()))
    committed = set(translations((CATALOGUE / "django.po").read_text()))
    assert len(extracted) > 150
    assert extracted - committed == set(), "run makemessages -l fr and translate the new strings"
