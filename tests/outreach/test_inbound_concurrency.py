"""The same provider message delivered twice at the same moment, by two web workers, is one message:
the second waits on the first's unique key and, once it commits, finds the message kept."""

import threading
import time

import pytest
from django.db import connection, transaction

from outreach.inbound import Incoming, receive_message
from outreach.models import Channel, Conversation, InboundMessage

INCOMING = Incoming(
    provider="sms",
    provider_message_id="SM-twice",
    channel=Channel.SMS,
    sender="+447911123456",
    body="Yes please",
)


def a_session_waits_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE wait_event_type = 'Lock' AND datname = current_database()"
        )
        return bool(cursor.fetchone()[0])


@pytest.mark.django_db(transaction=True)
def test_two_deliveries_of_one_message_at_once_keep_one(reachable):
    first_inserted = threading.Event()
    let_first_commit = threading.Event()
    outcomes: dict[str, bool] = {}

    def first() -> None:
        try:
            with transaction.atomic():
                outcomes["first"] = receive_message(INCOMING).created
                first_inserted.set()
                assert let_first_commit.wait(10)
        finally:
            connection.close()

    def second() -> None:
        try:
            outcomes["second"] = receive_message(INCOMING).created  # blocks on the first's row
        finally:
            connection.close()

    one = threading.Thread(target=first)
    one.start()
    assert first_inserted.wait(10)
    two = threading.Thread(target=second)
    two.start()
    deadline = time.monotonic() + 10
    while not a_session_waits_on_a_lock() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert two.is_alive()  # waiting on the first's uncommitted row, not writing a second one
    let_first_commit.set()
    one.join(10)
    two.join(10)

    assert outcomes == {"first": True, "second": False}
    assert InboundMessage.objects.count() == 1
    assert Conversation.objects.count() == 1
