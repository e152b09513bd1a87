"""The whole loop on a real worker and a real broker: her text comes in through the signed webhook,
the associate answers from her thread on the tablet (not capped: she wrote), the worker hands the
answer to the provider (a real HTTP server), and the provider's delivery receipt, then its read
receipt, move it along on her card."""

import pytest

from outreach.models import Channel, Message, Use
from tests.outreach.test_delivery import wait_for
from tests.webhook_calls import post_signed, text_from

NUMBER = "+447911123456"


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_her_text_answered_from_the_tablet_is_sent_by_the_worker_then_delivered_and_read(
    celery_worker, client, reachable, store, associate, fake_sms, settings
):
    settings.SMS_INBOUND_SECRET = "s3cret"
    settings.OUTREACH_CAP = 1
    Message.objects.create(
        customer=reachable, store=store, sent_by=associate, use=Use.OUTREACH, channel=Channel.SMS,
        body="The coat is back.", status=Message.Status.SENT, send_after=store.created_at,
        sent_at=store.created_at, created_at=reachable.created_at,
    )  # fmt: skip  # her weekly outreach is spent: only an answer to her may go
    assert post_signed(client, "/sms/replies/", text_from(NUMBER, "Keep it for Saturday?")).status_code == 200
    client.force_login(associate)

    answered = client.post(
        f"/customers/{reachable.public_id}/messages/",
        {"channel": Channel.SMS, "body": "Of course, it is aside for you.", "answering": "1"},
    )

    assert answered.status_code == 302
    answer = wait_for(Message.objects.get(use=Use.REPLY), Message.Status.SENT)
    assert answer.provider == "sms"
    assert fake_sms.delivered[0]["to"] == NUMBER  # the provider took it, once
    assert "Of course, it is aside for you." in str(fake_sms.delivered[0]["body"])
    assert len(fake_sms.delivered) == 1

    for state in ("delivered", "read"):
        receipt = {"id": answer.provider_reference, "status": state, "reference": str(answer.public_id)}
        assert post_signed(client, "/sms/status/", receipt).status_code == 200
        answer.refresh_from_db()
        assert answer.status == state

    thread = (
        client.get(f"/customers/{reachable.public_id}/").content.decode().split('class="thread plain"')[1]
    )
    assert thread.index("Keep it for Saturday?") < thread.index("it is aside for you")
    assert ">read<" in thread
