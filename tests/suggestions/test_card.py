"""Suggestions on the associate's card: the two lists, their sentences, and feedback from the card."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent
from consent.models import PurposeCode
from suggestions import refresh
from suggestions.models import Feedback, Suggestion

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def tablet(client, associate):
    client.force_login(associate)
    return client


def card(tablet, customer):
    return tablet.get(f"/customers/{customer.public_id}/").content.decode()


def test_the_card_shows_buy_again_and_discover_with_their_reasons(tablet, crowd, zoe):
    refresh.run_full_refresh()

    page = card(tablet, zoe)

    assert "Buy again" in page
    assert "Discover" in page
    assert "You have bought this twice" in page
    assert "Goes with the linen blazer you bought in" in page
    assert "Iron tablets" not in page
    assert "Pregnancy test" not in page


def test_a_customer_who_did_not_ask_for_suggestions_is_said_so(tablet, consenting_customer, withdraw):
    withdraw(consenting_customer, [PurposeCode.SUGGESTIONS])

    page = card(tablet, consenting_customer)

    assert "has not asked for personalised suggestions" in page


def test_marking_a_suggestion_liked_records_it_and_redraws_the_list(tablet, crowd, zoe, shop, store):
    refresh.run_full_refresh()
    url = f"/customers/{zoe.public_id}/suggestions/{shop['trousers'].pk}/liked/"

    response = tablet.post(url, **HTMX)

    assert response.status_code == 200
    assert 'id="suggestions"' in response.content.decode()
    assert "Liked</span>" in response.content.decode()
    feedback = Feedback.objects.get()
    assert (feedback.kind, feedback.list, feedback.store) == ("liked", "discover", store)
    assert AuditEvent.objects.filter(action="suggestion.liked", customer_id=zoe.pk).count() == 1


def test_not_for_her_takes_it_off_the_card_at_once(tablet, crowd, zoe, shop):
    refresh.run_full_refresh()

    response = tablet.post(f"/customers/{zoe.public_id}/suggestions/{shop['trousers'].pk}/dismissed/", **HTMX)

    suggestions, _, status = response.content.decode().partition('<div id="card-status"')
    assert "Pleated trousers" not in suggestions
    assert "“Pleated trousers” is hidden from her suggestions for 90 days." in status
    assert "Pleated trousers" not in card(tablet, zoe)


@pytest.mark.parametrize("kind", ["bought", "<script>"])
def test_an_unknown_kind_of_feedback_is_a_404_and_records_nothing(tablet, crowd, zoe, shop, kind):
    refresh.run_full_refresh()

    response = tablet.post(f"/customers/{zoe.public_id}/suggestions/{shop['trousers'].pk}/{kind}/")

    assert response.status_code == 404
    assert not Feedback.objects.exists()


def test_feedback_on_a_product_not_suggested_to_her_is_a_404(tablet, crowd, zoe, shop):
    refresh.run_full_refresh()

    response = tablet.post(f"/customers/{zoe.public_id}/suggestions/{shop['pills'].pk}/liked/")

    assert response.status_code == 404
    assert not Feedback.objects.exists()


def test_feedback_about_a_customer_she_cannot_see_is_a_404(client, outsider, crowd, zoe, shop):
    refresh.run_full_refresh()
    client.force_login(outsider)

    response = client.post(f"/customers/{zoe.public_id}/suggestions/{shop['trousers'].pk}/liked/")

    assert response.status_code == 404
    assert not Feedback.objects.exists()


def test_the_card_reads_suggestions_in_one_query_however_many_there_are(
    tablet, crowd, zoe, django_assert_num_queries
):
    refresh.run_full_refresh()
    tablet.get("/")
    url = f"/customers/{zoe.public_id}/"
    with CaptureQueriesContext(connection) as with_suggestions:
        page = tablet.get(url).content.decode()
    assert page.count('class="suggestion"') >= 3
    Suggestion.objects.filter(customer=zoe).exclude(rank=1).delete()

    with django_assert_num_queries(len(with_suggestions)):
        tablet.get(url)
