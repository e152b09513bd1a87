"""The associate's pages in her language: French when her browser's language cookie says so, English
otherwise; and every string of the staff pages translated in the French catalogue."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from customers.models import Customer
from relationships.models import FollowUp
from tests.catalogue import CATALOGUE, Entry, entries

pytestmark = pytest.mark.django_db

STAFF_CODE = ("clienteling/templates/", "tablet/", "managers/")
CUSTOMER_PAGES = ("clienteling/templates/customer_site/", "clienteling/templates/public_base.html")


@pytest.fixture
def in_french(signed_in: Client) -> Client:
    signed_in.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    return signed_in


def page(client: Client, url: str, data: dict[str, str] | None = None) -> str:
    response = client.post(url, data) if data is not None else client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_my_day_is_in_french_for_an_associate_whose_cookie_asks_for_it(
    in_french, associate, store, consenting_customer
):
    FollowUp.objects.create(
        customer=consenting_customer,
        store=store,
        assigned_to=associate,
        title="Call about linen",
        due_on=timezone.localdate() - timedelta(days=2),
    )

    content = page(in_french, "/")

    assert '<html lang="fr">' in content
    assert "<title>Ma journée · Clienteling</title>" in content
    assert "Vos rendez-vous du jour" in content
    assert "Relances à faire" in content
    assert "En retard depuis le" in content
    assert ">Rechercher</a>" in content  # the menu too
    assert "Call about linen" in content  # what she wrote stays as she wrote it


def test_my_day_stays_in_english_without_the_cookie(signed_in):
    content = page(signed_in, "/")

    assert '<html lang="en-gb">' in content  # the London store's locale
    assert "Your appointments today" in content
    assert "Vos rendez-vous du jour" not in content


def test_the_customer_card_is_in_french_labels_and_choices_included(in_french, consenting_customer: Customer):
    content = page(in_french, f"/customers/{consenting_customer.public_id}/")

    assert '<html lang="fr">' in content
    assert "Zoë Okafor" in content
    for french in ("Relances", "Dates à retenir", "Liste d'envies", "Lui écrire", "Historique"):
        assert french in content
    assert "Profil partagé" in content  # her consent badges
    assert '<label for="note-body">Note</label>' in content  # the note form's label
    assert '<option value="call">Appel</option>' in content  # the contact form's kinds (Interaction.Kind)
    assert "Consentement donné" in content  # the timeline's entries


def test_the_customer_card_stays_in_english_without_the_cookie(signed_in, consenting_customer):
    content = page(signed_in, f"/customers/{consenting_customer.public_id}/")

    assert "Follow-ups" in content
    assert "Gave consent" in content
    assert "Relances" not in content


def test_the_search_and_its_empty_result_are_in_french(in_french, consenting_customer):
    assert "Nom, e-mail, téléphone" in page(in_french, "/customers/")

    found = page(in_french, "/customers/", {"q": "okafor"})
    missing = page(in_french, "/customers/", {"q": "nobody-like-this"})

    assert '<html lang="fr">' in found
    assert "<mark>Okafor</mark>" in found
    assert "Aucun client visible ne correspond à « nobody-like-this »" in missing
    assert "Inscrire cette cliente sur cette tablette" in missing


def test_the_search_stays_in_english_without_the_cookie(signed_in):
    missing = page(signed_in, "/customers/", {"q": "nobody-like-this"})

    assert "No customer you can see matches" in missing


def test_a_saved_note_is_confirmed_in_french(in_french, consenting_customer):
    response = in_french.post(
        f"/customers/{consenting_customer.public_id}/notes/", {"body": "Loves linen"}, follow=True
    )

    assert "Note enregistrée." in response.content.decode()


def _catalogue() -> list[Entry]:
    return entries((CATALOGUE / "django.po").read_text())


def _used_by_staff_pages(entry: Entry) -> bool:
    places = [reference.rsplit(":", 1)[0] for reference in entry.references]
    return any(p.startswith(STAFF_CODE) and not p.startswith(CUSTOMER_PAGES) for p in places)


def test_the_french_catalogue_has_no_fuzzy_and_no_untranslated_entry_in_any_plural_form():
    catalogue = _catalogue()

    assert len([e for e in catalogue if _used_by_staff_pages(e)]) > 300  # the staff pages are in it
    assert [e.key for e in catalogue if "fuzzy" in e.flags] == []
    assert [e.key for e in catalogue if not e.msgstrs or not all(e.msgstrs)] == []
    assert [e.key for e in catalogue if e.msgid_plural and len(e.msgstrs) != 2] == []  # French: two forms


def test_the_french_strings_keep_every_placeholder_of_the_english():
    placeholder = re.compile(r"%\([a-z_]+\)[sd]|\{[a-z_]+\}|%%")

    def wrong(entry: Entry) -> bool:
        wanted = sorted(set(placeholder.findall(entry.msgid_plural or entry.msgid)))
        return any(sorted(set(placeholder.findall(msgstr))) != wanted for msgstr in entry.msgstrs)

    assert [e.key for e in _catalogue() if wrong(e)] == []
