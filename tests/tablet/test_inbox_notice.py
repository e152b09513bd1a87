"""The top bar's notice of a new message: drawn with the count when a message reached one of her
conversations since the last poll; her name and a preview, masked when sensitive, hidden when the
viewer may not see her, a number nobody has said so; accounted for; nothing on the first poll."""

from datetime import timedelta
from urllib.parse import quote

from django.utils import timezone

from audit.models import AuditEvent
from audit.services import LISTED
from consent.models import ConsentState, PurposeCode
from tests.outreach import conftest as outreach
from tests.tablet.test_inbox import HTMX, NUMBER, text

store = outreach.store
reachable = outreach.reachable


def poll(client, since=None) -> str:  # type: ignore[no-untyped-def]
    query = f"?since={quote(since.isoformat())}" if since else ""
    return client.get(f"/inbox/unread/{query}", headers=HTMX).content.decode()


def test_a_message_since_the_last_poll_is_announced_with_her_name_and_a_preview(signed_in, reachable, store):
    before = timezone.now() - timedelta(seconds=1)
    text(NUMBER, "Can you keep the coat for Saturday?")

    answer = poll(signed_in, before)

    assert 'id="inbox-notice" hx-swap-oob="innerHTML"' in answer
    assert f"A new message from {reachable.display_name}." in answer
    assert "Can you keep the coat for Saturday?" in answer
    assert f"/customers/{reachable.public_id}/" in answer
    assert "hx-vals" in answer  # the badge carries the moment of this poll to the next
    listing = AuditEvent.objects.get(action=LISTED, detail__page="inbox-notice")
    assert listing.detail["shown"] == [reachable.pk]


def test_the_first_poll_and_a_poll_with_nothing_new_announce_nothing(signed_in, reachable, store):
    text(NUMBER, "Hello")

    assert "inbox-notice" not in poll(signed_in)
    assert "inbox-notice" not in poll(signed_in, timezone.now())
    assert ">1<" in poll(signed_in, timezone.now())  # still counted


def test_a_sensitive_message_is_masked_in_the_notice(signed_in, reachable, store):
    before = timezone.now() - timedelta(seconds=1)
    text(NUMBER, "My chemotherapy starts Monday, can I come before?")

    answer = poll(signed_in, before)

    assert "chemotherapy" not in answer
    assert "may mention something sensitive" in answer


def test_a_customer_the_viewer_may_not_see_is_announced_without_details(signed_in, reachable, store):
    text(NUMBER, "First")
    ConsentState.objects.filter(customer=reachable, purpose_id=PurposeCode.PROFILE).update(granted=False)
    before = timezone.now()
    text(NUMBER, "Keep it for Saturday", n=2)

    answer = poll(signed_in, before)

    assert "details hidden" in answer
    assert reachable.given_name not in answer
    assert "Keep it for Saturday" not in answer
    assert not AuditEvent.objects.filter(action=LISTED, detail__page="inbox-notice").exists()


def test_a_number_nobody_has_is_announced_as_such(signed_in, store):
    before = timezone.now() - timedelta(seconds=1)
    stranger = text("+447700123456", "Open on Sunday?")

    answer = poll(signed_in, before)

    assert "A new message from a number nobody has." in answer
    assert f"/inbox/{stranger.pk}/sender/" in answer
