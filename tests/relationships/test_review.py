"""The manager's notes review: every note queued, flags highlighted, approve, redact with history,
delete with a reason, stale forms refused, scope and consent respected, filters, query count."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from consent.models import PurposeCode
from privacy.export import subject_data
from relationships.models import Note, NoteRevision
from relationships.review import StaleReview, approve_note, delete_note, redact_note
from relationships.services import add_note
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db
QUEUE = reverse("managers:notes-review")


@pytest.fixture
def flagged(associate, store, consenting_customer) -> Note:
    return add_note(
        by=associate,
        customer=consenting_customer,
        store=store,
        body="Pregnant, due in May. Call her on 07911 123456",
        confirmed=True,
    )


def signed_in(client: Client, user) -> Client:  # type: ignore[no-untyped-def]
    client.force_login(user)
    return client


def decide(client: Client, note: Note, **data: object):  # type: ignore[no-untyped-def]
    return client.post(reverse("managers:decide-note", args=[note.pk]), {"version": note.version, **data})


def test_redacting_keeps_the_old_text_for_managers_and_the_customer_sees_the_new(manager, flagged):
    note = redact_note(
        by=manager,
        note=flagged,
        seen_version=1,
        body="Expecting news in May; prefers a call.",
        reason="Pregnancy and her phone number do not belong in a note",
    )

    assert (note.review, note.version, note.reviewed_by) == (Note.Review.REDACTED, 2, manager)
    assert note.flagged_topics == []  # what is left is clean
    revision = NoteRevision.objects.get()
    assert revision.body.startswith("Pregnant, due in May")
    assert (revision.flagged_topics, revision.replaced_by) == (["pregnancy", "phone_number"], manager)
    assert [n["text"] for n in subject_data(note.customer)["notes"]] == [
        "Expecting news in May; prefers a call."
    ]
    event = AuditEvent.objects.get(action="note.redacted")
    assert event.detail == {
        "note_id": note.pk,
        "flagged_topics_before": ["pregnancy", "phone_number"],
        "flagged_topics": [],
    }
    assert "May" not in str(event.detail)


def test_approving_and_deleting_are_audited_with_codes_not_text(manager, flagged, associate, store):
    approve_note(by=manager, note=flagged, seen_version=1)
    other = add_note(by=associate, customer=flagged.customer, store=store, body="Idiot", confirmed=True)

    delete_note(by=manager, note=other, seen_version=1, reason="insult")

    flagged.refresh_from_db()
    assert (flagged.review, flagged.version) == (Note.Review.APPROVED, 2)
    assert not Note.objects.filter(pk=other.pk).exists()
    deleted = AuditEvent.objects.get(action="note.deleted")
    assert deleted.detail == {"note_id": other.pk, "reason": "insult", "flagged_topics": ["insults"]}
    assert AuditEvent.objects.filter(action="note.approved", actor=manager).count() == 1


def test_a_decision_on_an_out_of_date_page_is_refused_and_writes_nothing(manager, flagged):
    approve_note(by=manager, note=flagged, seen_version=1)

    with pytest.raises(StaleReview):
        redact_note(by=manager, note=flagged, seen_version=1, body="Other text", reason="Tidy")
    with pytest.raises(StaleReview):
        delete_note(by=manager, note=flagged, seen_version=1, reason="other")

    assert not NoteRevision.objects.exists()
    assert Note.objects.get().body.startswith("Pregnant")


@pytest.mark.parametrize(
    ("body", "reason", "field"),
    [("", "Tidy", "body"), ("Same text", "", "reason"), ("x" * 2001, "Tidy", "body")],
)
def test_a_redaction_needs_text_and_a_reason(manager, flagged, body, reason, field):
    with pytest.raises(ValidationError) as invalid:
        redact_note(by=manager, note=flagged, seen_version=1, body=body, reason=reason)

    assert field in invalid.value.message_dict
    assert not NoteRevision.objects.exists()


def test_the_queue_highlights_what_was_found_and_escapes_the_rest(client, manager, associate, store, flagged):
    add_note(
        by=associate, customer=flagged.customer, store=store, body="<script>alert(1)</script> likes silk"
    )

    page = signed_in(client, manager).get(QUEUE)

    html = page.content.decode()
    assert page.status_code == 200
    assert '<mark class="flag" title="pregnancy">Pregnant<span' in html
    assert '<mark class="flag" title="a phone number">07911 123456<span' in html
    assert "Flagged:</strong> pregnancy, a phone number" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; likes silk" in html
    assert "<script>alert(1)" not in html


def test_associates_get_a_403_and_another_stores_manager_sees_nothing(
    client, associate, other_store, flagged
):
    assert signed_in(client, associate).get(QUEUE).status_code == 403

    paris = UserFactory(username="paul", role="manager", stores=[other_store])
    page = signed_in(Client(), paris).get(QUEUE)
    assert "Pregnant" not in page.content.decode()
    response = decide(signed_in(Client(), paris), flagged, action="approve")
    assert response.status_code == 404
    assert Note.objects.get().review == Note.Review.PENDING


def test_a_note_about_someone_who_withdrew_consent_is_hidden_and_counted(client, manager, flagged, withdraw):
    withdraw(flagged.customer, [PurposeCode.PROFILE])

    page = signed_in(client, manager).get(QUEUE)

    html = page.content.decode()
    assert "Pregnant" not in html
    assert "1 note waiting about customers who no longer consent" in html
    assert decide(client, flagged, action="approve").status_code == 404


def test_review_actions_from_the_page_and_a_stale_one_is_a_409(client, manager, flagged):
    signed_in(client, manager)
    stale_version = flagged.version

    approved = decide(client, flagged, action="approve", query="flag=flagged")
    again = client.post(
        reverse("managers:decide-note", args=[flagged.pk]),
        {"version": stale_version, "action": "delete", "reason": "other"},
    )

    assert approved.status_code == 302
    assert approved["Location"] == f"{QUEUE}?flag=flagged"
    assert again.status_code == 409
    assert "changed or reviewed this note meanwhile" in again.content.decode()
    assert Note.objects.get().review == Note.Review.APPROVED
    bad = client.post(
        reverse("managers:decide-note", args=[flagged.pk]),
        {"version": 2, "action": "delete", "reason": "because"},
    )
    assert bad.status_code == 400
    assert Note.objects.exists()


def test_filters_by_status_author_flag_and_date(
    client, manager, associate, teammate, store, consenting_customer
):
    customer = consenting_customer
    mine = add_note(by=associate, customer=customer, store=store, body="Loves linen")
    theirs = add_note(by=teammate, customer=customer, store=store, body="Back from hospital", confirmed=True)
    old = add_note(by=teammate, customer=customer, store=store, body="Bought a coat")
    Note.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))
    approve_note(by=manager, note=mine, seen_version=1)
    signed_in(client, manager)

    def shown(**query: object) -> set[int]:
        page = client.get(QUEUE, query)
        return {note.pk for note in page.context["page"]}

    assert shown() == {theirs.pk, old.pk}  # waiting for review, by default
    assert shown(review="all") == {mine.pk, theirs.pk, old.pk}
    assert shown(review="approved") == {mine.pk}
    assert shown(review="all", author=associate.pk) == {mine.pk}
    assert shown(flag="flagged") == {theirs.pk}
    assert shown(flag="health") == {theirs.pk}
    assert shown(flag="unflagged") == {old.pk}
    since = (timezone.localdate() - timedelta(days=7)).isoformat()
    assert shown(since=since) == {theirs.pk}
    assert shown(until=since) == {old.pk}


def test_the_queue_costs_the_same_queries_for_5_notes_or_25(
    client, manager, associate, store, consenting_customer, django_assert_max_num_queries, grant
):
    signed_in(client, manager)

    def notes(count: int) -> None:
        for n in range(count):
            customer = CustomerFactory(home_store=store)
            grant(customer, store=store)
            note = add_note(by=associate, customer=customer, store=store, body=f"Note {n}")
            redact_note(by=manager, note=note, seen_version=1, body=f"Note {n}, tidied", reason="Tidy")

    notes(5)
    with django_assert_max_num_queries(20) as five:
        client.get(QUEUE, {"review": "all"})
    notes(20)
    with django_assert_max_num_queries(len(five.captured_queries)):
        page = client.get(QUEUE, {"review": "all"})
    assert len(page.context["page"]) == 25
