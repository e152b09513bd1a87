"""The store manager's pages in her language: the dashboard and the notes review in French when her
language cookie says so (counts grouped the French way), in English otherwise."""

from datetime import date

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from customers.models import Customer
from managers.models import StoreDay, StoreSnapshot
from relationships.models import Note
from relationships.services import add_note
from stores.models import Store

pytestmark = pytest.mark.django_db

MARCH = {"start": "2026-03-01", "end": "2026-03-31"}


@pytest.fixture
def signed_in(client: Client, manager: User) -> Client:
    client.force_login(manager)
    return client


@pytest.fixture
def in_french(signed_in: Client) -> Client:
    signed_in.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    return signed_in


@pytest.fixture
def busy_march(store: Store) -> None:
    """The rollups of a month with more than a thousand visits, as the nightly pass leaves them."""
    now = timezone.now()
    StoreDay.objects.create(
        store=store, day=date(2026, 3, 10), visits=1574, visits_consenting=1203, opt_ins=12, computed_at=now
    )
    StoreSnapshot.objects.create(
        store=store,
        day=date(2026, 3, 31),
        customers=2048,
        consents={"profile": 1500},
        private_clients=20,
        private_clients_assigned=18,
        private_clients_contacted=9,
        computed_at=now,
    )


@pytest.fixture
def waiting_note(associate: User, store: Store, consenting_customer: Customer) -> Note:
    return add_note(
        by=associate, customer=consenting_customer, store=store, body="Prefers linen", confirmed=True
    )


def page(client: Client, url: str, data: dict[str, str] | None = None) -> str:
    response = client.get(url, data)
    assert response.status_code == 200
    return response.content.decode()


def test_the_dashboard_is_in_french_with_counts_grouped_the_french_way(in_french, busy_march):
    content = page(in_french, reverse("managers:dashboard"), MARCH)

    assert '<html lang="fr">' in content
    assert '<h2 id="optin-heading">Taux d\'adhésion</h2>' in content
    assert "Semaine par semaine" in content
    assert "Sur les 1\xa0574 visites de clients identifiés" in content
    assert "Sur les 2\xa0048 clients du magasin, à la fin du 31 mars 2026." in content
    assert "1\xa0500 (73\xa0%)" in content  # the consent chart's bar: count and share
    assert '<label for="id_start">Du\xa0:</label>' in content  # Django's own French label suffix


def test_the_dashboard_stays_in_english_with_english_grouping_without_the_cookie(signed_in, busy_march):
    content = page(signed_in, reverse("managers:dashboard"), MARCH)

    assert '<html lang="en-gb">' in content  # the London store's locale
    assert "1,203 of the 1,574 visits by identified customers" in content
    assert "Of the 2,048 customers of the store, as of the end of 31 Mar 2026." in content
    assert "1,500 (73%)" in content


def test_the_notes_review_is_in_french_its_choices_and_reasons_too(in_french, waiting_note):
    content = page(in_french, reverse("managers:notes-review"))

    assert '<html lang="fr">' in content
    assert '<h1 class="page-title">Relecture des notes</h1>' in content
    assert "1 note</h2>" in content
    assert "En attente de relecture" in content  # Note.Review's label
    assert '<option value="other">Autre</option>' in content  # why a note is deleted
    assert ">Approuver</button>" in content
    assert "Prefers linen" in content  # the note itself as written


def test_the_notes_review_stays_in_english_without_the_cookie(signed_in, waiting_note):
    content = page(signed_in, reverse("managers:notes-review"))

    assert '<h1 class="page-title">Notes review</h1>' in content
    assert "Waiting for review" in content


def test_an_associate_is_refused_the_managers_pages_in_french(client, associate):
    client.force_login(associate)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"

    response = client.get(reverse("managers:notes-review"))

    assert response.status_code == 403
    assert "Seuls les responsables de magasin relisent les notes." in response.content.decode()
