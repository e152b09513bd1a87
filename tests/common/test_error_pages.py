"""The site's own pages for the refusals a view means to give, with DEBUG on as in production; a
crash's page that needs no database."""

import pytest
from django.test import RequestFactory
from django.urls import get_resolver
from django.utils import translation

from consent.models import PurposeCode

pytestmark = pytest.mark.django_db

DJANGOS_DEBUG_PAGE = "DEBUG = True"  # "You're seeing this error because you have DEBUG = True…"


@pytest.fixture
def signed_in(client, associate):
    client.force_login(associate)
    return client


@pytest.mark.parametrize("debug", [True, False], ids=["development", "production"])
def test_the_card_of_a_customer_who_withdrew_is_the_sites_own_not_available_page(
    settings, signed_in, consenting_customer, withdraw, debug
):
    settings.DEBUG = debug
    withdraw(consenting_customer, [PurposeCode.PROFILE])

    response = signed_in.get(f"/customers/{consenting_customer.public_id}/")

    assert response.status_code == 404
    page = response.content.decode()
    assert "Not available" in page
    assert "has withdrawn that choice, or belongs to another store" in page
    assert 'href="/customers/"' in page  # back to Find a customer
    assert DJANGOS_DEBUG_PAGE not in page
    assert "Zoë" not in page


@pytest.mark.parametrize("debug", [True, False], ids=["development", "production"])
def test_a_page_her_role_does_not_open_is_the_sites_own_not_allowed_page(settings, signed_in, debug):
    settings.DEBUG = debug

    response = signed_in.get("/posters/")

    assert response.status_code == 403
    page = response.content.decode()
    assert "Not allowed" in page
    assert "Only store managers print opt-in posters." in page
    assert DJANGOS_DEBUG_PAGE not in page


def test_in_development_an_address_no_url_matches_keeps_djangos_page_for_the_developer(settings, signed_in):
    settings.DEBUG = True

    response = signed_in.get("/no/such/page/")

    assert response.status_code == 404
    assert DJANGOS_DEBUG_PAGE in response.content.decode()


def test_a_crash_answers_the_sites_500_page_in_her_language_without_the_database(
    django_assert_num_queries,
):
    server_error = get_resolver().resolve_error_handler(500)  # handler500, as Django calls it

    with django_assert_num_queries(0), translation.override("fr"):
        response = server_error(RequestFactory().get("/join/x/"))

    assert response.status_code == 500
    page = response.content.decode()
    assert '<html lang="fr">' in page
    assert "Un problème est survenu" in page
