"""Codes and sign-in links are throttled per address, per device and, for requests nobody answers,
per network: a store's busy Wi-Fi signs up fifty customers an hour, while one device spraying
addresses is stopped, whether it keeps its cookies or drops them each time."""

import re

import pytest
from django.core import mail
from django.test import Client

from consent.models import ConsentEvent, SendAttempt
from consent.tokens import collection_point_token
from tests.factories import CollectionPointFactory

pytestmark = pytest.mark.django_db

STORE_WIFI = {"REMOTE_ADDR": "198.51.100.20"}


@pytest.fixture
def join_url(store):
    point = CollectionPointFactory(store=store, code="till-1", name="Till 1")
    return f"/join/{collection_point_token(point.pk)}/"


def ask(browser: Client, join_url: str, email: str):  # type: ignore[no-untyped-def]
    return browser.post(
        join_url, {"purposes": ["profile"], "contact": email, "given_name": "Zoë"}, **STORE_WIFI
    )


def test_fifty_customers_through_one_stores_wi_fi_all_sign_up(join_url, settings):
    for n in range(50):
        phone = Client()  # her own phone, on the store's Wi-Fi
        response = ask(phone, join_url, f"customer{n}@example.com")
        assert response.status_code == 200, n
        state = re.search(r'name="state" value="([^"]+)"', response.content.decode()).group(1)
        code = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
        assert phone.post("/join/verify/", {"state": state, "code": code}, **STORE_WIFI).status_code == 302

    assert ConsentEvent.objects.values("customer").distinct().count() == 50
    assert settings.OTP_UNCONFIRMED_PER_ADDRESS_PER_HOUR < 50  # more than the network's unanswered limit


def test_one_device_spraying_addresses_is_stopped_at_its_own_limit(join_url, settings):
    sprayer = Client()
    answers = [ask(sprayer, join_url, f"victim{n}@example.com").status_code for n in range(12)]

    limit = settings.OTP_SENDS_PER_DEVICE_PER_HOUR
    assert answers == [200] * limit + [429] * (12 - limit)
    assert len(mail.outbox) == limit
    assert b"Too many requests from this device" in ask(sprayer, join_url, "x@example.com").content


def test_a_device_dropping_its_cookies_is_stopped_by_the_networks_unanswered_limit(join_url, settings):
    limit = settings.OTP_UNCONFIRMED_PER_ADDRESS_PER_HOUR
    answers = [ask(Client(), join_url, f"victim{n}@example.com").status_code for n in range(limit + 5)]

    assert answers == [200] * limit + [429] * 5
    refused = ask(Client(), join_url, "another@example.com")
    assert b"Too many unanswered requests from this network" in refused.content
    assert len(mail.outbox) == limit
    assert SendAttempt.objects.filter(confirmed_at__isnull=True).count() == limit


def test_a_customer_on_another_network_is_not_held_up_by_a_sprayer(join_url, settings):
    for n in range(settings.OTP_UNCONFIRMED_PER_ADDRESS_PER_HOUR):
        ask(Client(), join_url, f"victim{n}@example.com")

    response = Client().post(
        join_url,
        {"purposes": ["profile"], "contact": "me@example.com", "given_name": "Ines"},
        REMOTE_ADDR="192.0.2.44",
    )

    assert response.status_code == 200


def test_a_used_sign_in_link_confirms_its_request(consenting_customer):
    from customers.models import CustomerIdentifier

    CustomerIdentifier.objects.create(customer=consenting_customer, kind="email", value="zoe@example.com")
    phone = Client()
    phone.post("/me/sign-in/", {"contact": "zoe@example.com"}, **STORE_WIFI)
    link = re.search(r"(/me/link/[^/\s]+/)", mail.outbox[-1].body).group(1)
    assert SendAttempt.objects.get().confirmed_at is None

    phone.post(link)

    assert SendAttempt.objects.get().confirmed_at is not None
