"""A store's own number for texts: its texts go from it, and an answer to it comes to that store's
inbox, whoever sends it; the number is in the international format and no two stores share one."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from outreach import delivery
from outreach.messaging import queue_message
from outreach.models import Channel, Conversation, InboundMessage, Use
from tests.factories import StoreFactory
from tests.webhook_calls import post_signed, text_from

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


@pytest.fixture
def sms_secret(settings) -> None:  # type: ignore[no-untyped-def]
    settings.SMS_INBOUND_SECRET = "s3cret"


def test_her_answer_to_a_stores_number_comes_to_that_store(client, reachable, store, sms_secret):
    paris = StoreFactory(code="paris", name="Paris Marais", sms_number=STORE_NUMBER)

    post_signed(
        client, "/sms/replies/", text_from("+447911123456", "Je passe samedi") | {"to": "+44 7700 900123"}
    )

    reply = InboundMessage.objects.get()
    assert (reply.customer, reply.store) == (reachable, paris)  # not her home store, London
    assert Conversation.objects.get().store == paris


def test_a_stranger_writing_to_a_stores_number_reaches_that_store(client, store, sms_secret, settings):
    settings.CONVERSATION_DEFAULT_STORE = store.code
    paris = StoreFactory(code="paris", name="Paris Marais", sms_number=STORE_NUMBER)

    post_signed(client, "/sms/replies/", text_from("+447700123456", "Open Sunday?") | {"to": STORE_NUMBER})

    assert Conversation.objects.get(customer=None).store == paris


def test_a_number_no_store_has_or_a_closed_stores_goes_where_it_went_before(
    client, reachable, store, sms_secret
):
    StoreFactory(code="paris", name="Paris Marais", sms_number=STORE_NUMBER, is_active=False)

    post_signed(client, "/sms/replies/", text_from("+447911123456", "Hello") | {"to": STORE_NUMBER})
    post_signed(client, "/sms/replies/", text_from("+447911123456", "Again") | {"to": "+447700900999"})

    assert set(InboundMessage.objects.values_list("store", flat=True)) == {store.pk}
