"""Each try at sending a message is counted for Prometheus by channel and outcome (common.metrics)."""

import pytest
from django.utils import timezone

from outreach import delivery
from outreach.messaging import queue_message
from outreach.models import Channel, Message, Use
from tests.metrics import counted

pytestmark = pytest.mark.django_db

DELIVERIES = "clienteling_message_deliveries_total"


def queued(customer, store, by, channel):  # type: ignore[no-untyped-def]
    return queue_message(
        by=by,
        customer=customer,
        store=store,
        channel=channel,
        use=Use.OUTREACH,
        subject="Hello",
        body="Back.",
    )


def test_a_text_retried_then_sent_and_an_email_sent_are_counted_by_channel(
    reachable, store, associate, fake_sms
):
    fake_sms.script = [503]
    before = {
        (channel, outcome): counted(DELIVERIES, channel=channel, outcome=outcome)
        for channel in ("sms", "email")
        for outcome in ("sent", "retry", "failed")
    }
    text = queued(reachable, store, associate, Channel.SMS)
    email = queued(reachable, store, associate, Channel.EMAIL)

    assert delivery.deliver(text.pk).status == "retry"
    Message.objects.filter(pk=text.pk).update(send_after=timezone.now())
    assert delivery.deliver(text.pk).status == "sent"
    assert delivery.deliver(email.pk).status == "sent"
    assert delivery.deliver(email.pk).status == "skipped"  # nothing tried: not counted

    after = {key: counted(DELIVERIES, channel=key[0], outcome=key[1]) for key in before}
    assert {key: after[key] - before[key] for key in before} == {
        ("sms", "sent"): 1, ("sms", "retry"): 1, ("sms", "failed"): 0,
        ("email", "sent"): 1, ("email", "retry"): 0, ("email", "failed"): 0,
    }  # fmt: skip


def test_a_refused_text_is_counted_as_failed(reachable, store, associate, fake_sms):
    fake_sms.script = [400]
    before = counted(DELIVERIES, channel="sms", outcome="failed")

    assert delivery.deliver(queued(reachable, store, associate, Channel.SMS).pk).status == "failed"

    assert counted(DELIVERIES, channel="sms", outcome="failed") == before + 1
