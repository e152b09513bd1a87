"""A store's own number for texts: its texts go from it, and an answer to it comes to that store's
inbox, whoever sends it; the number is in the international format and no two stores share one."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from outreach import delivery
from outreach.messaging import queue_message
from outreach.models import Channel, Use
from tests.factories import StoreFactory

pytestmark = pytest.mark.django_db

STORE_NUMBER = "+447700900123"


def test_a_text_goes_from_the_stores_own_number(reachable, store, associate, fake_sms):
    store.sms_number = STORE_NUMBER
    store.save()
    message = queue_message(
        by=associate, customer=reachable, store=store, channel=Channel.SMS, use=Use.OUTREACH, body="Hi"
    )

    delivery.deliver(message.pk)

    assert fake_sms.requests[-1]["payload"]["from"] == STORE_NUMBER


def test_without_a_number_the_providers_default_sends_it(reachable, store, associate, fake_sms):
    message = queue_message(
        by=associate, customer=reachable, store=store, channel=Channel.SMS, use=Use.OUTREACH, body="Hi"
    )

    delivery.deliver(message.pk)

    assert "from" not in fake_sms.requests[-1]["payload"]


def test_a_store_number_is_international_and_its_own(store):
    store.sms_number = "07700 900123"
    with pytest.raises(ValidationError, match="international format"):
        store.full_clean()
    store.sms_number = STORE_NUMBER
    store.save()
    with pytest.raises(IntegrityError):
        StoreFactory(code="paris", sms_number=STORE_NUMBER)
