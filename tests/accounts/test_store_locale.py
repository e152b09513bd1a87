"""Staff pages in their store's language and formats; her own choice of language wins; the
customer's pages follow her phone."""

import re
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from relationships.models import FollowUp
from stores.models import StaffLocale

pytestmark = pytest.mark.django_db

FRENCH_MONTHS = [
    "janv.",
    "févr.",
    "mars",
    "avr.",
    "mai",
    "juin",
    "juil.",
    "août",
    "sept.",
    "oct.",
    "nov.",
    "déc.",
]


def overdue_since(store, associate, customer) -> date:
    due = timezone.localdate() - timedelta(days=2)
    FollowUp.objects.create(
        customer=customer, store=store, assigned_to=associate, title="Call about linen", due_on=due
    )
    return due


def test_an_associate_of_a_french_store_sees_its_language_and_dates(
    client, associate, store, consenting_customer
):
    store.locale = StaffLocale.FR_FR
    store.save()
    due = overdue_since(store, associate, consenting_customer)
    client.force_login(associate)

    page = client.get("/").content.decode()

    assert '<html lang="fr-fr">' in page
    assert "<title>Ma journée · Clienteling</title>" in page
    assert f"En retard depuis le {due.day} {FRENCH_MONTHS[due.month - 1]}" in page


def test_a_british_store_writes_dates_the_british_way(client, associate, store, consenting_customer):
    due = overdue_since(store, associate, consenting_customer)
    client.force_login(associate)

    page = client.get("/").content.decode()

    assert '<html lang="en-gb">' in page
    assert due.strftime("%-d %b") in page


def test_the_language_she_chose_wins_over_her_stores(client, associate, store):
    store.locale = StaffLocale.FR_FR
    store.save()
    client.force_login(associate)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    assert '<html lang="en">' in client.get("/").content.decode()


def test_the_customers_pages_follow_her_phone_on_a_french_stores_tablet(client, associate, store):
    store.locale = StaffLocale.FR_FR
    store.save()
    client.force_login(associate)

    page = client.get("/me/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9").content.decode()

    assert '<html lang="en">' in page


def test_a_french_stores_dashboard_fills_its_date_pickers(client, manager, store):
    store.locale = StaffLocale.FR_FR
    store.save()
    client.force_login(manager)

    page = client.get("/dashboard/").content.decode()

    today = timezone.localdate()
    assert f'value="{today:%Y-%m-%d}"' in page


def test_a_french_stores_charts_keep_their_coordinates_readable(client, manager, store):
    store.locale = StaffLocale.FR_FR
    store.save()
    client.force_login(manager)

    page = client.get("/dashboard/", {"start": "2026-01-05", "end": "2026-03-29"}).content.decode()

    coordinates = re.findall(r'<rect [^>]*?width="([^"]+)"', page)
    assert coordinates
    assert all("," not in value for value in coordinates)
