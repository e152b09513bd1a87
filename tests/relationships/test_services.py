from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.models import AuditEvent
from customers.models import StoreRelationship
from relationships.models import FollowUp, Note
from relationships.services import (
    SensitiveContent,
    add_note,
    complete_follow_up,
    create_follow_up,
    log_interaction,
)

pytestmark = pytest.mark.django_db


def test_an_ordinary_note_is_saved_and_audited(associate, store, consenting_customer):
    note = add_note(by=associate, customer=consenting_customer, store=store, body="Loves linen. Size 12.")

    assert note.review == Note.Review.PENDING  # every new note waits for the manager
    assert AuditEvent.objects.filter(
        action="note.added", customer=consenting_customer, actor=associate
    ).exists()


def test_a_note_mentioning_health_is_refused_until_confirmed(associate, store, consenting_customer):
    with pytest.raises(SensitiveContent) as refused:
        add_note(by=associate, customer=consenting_customer, store=store, body="Back from hospital")

    assert refused.value.finding.topics == ("health",)
    assert not Note.objects.exists()

    note = add_note(
        by=associate, customer=consenting_customer, store=store, body="Back from hospital", confirmed=True
    )
    assert note.flagged_topics == ["health"]
    assert note.review == Note.Review.PENDING


@pytest.mark.parametrize("body", ["", "   ", "x" * 2001])
def test_empty_or_overlong_notes_are_refused_with_a_message(associate, store, consenting_customer, body):
    with pytest.raises(ValidationError):
        add_note(by=associate, customer=consenting_customer, store=store, body=body)


def test_a_follow_up_is_assigned_to_its_author_by_default_and_completed_once(
    associate, store, consenting_customer
):
    follow_up = create_follow_up(
        by=associate,
        customer=consenting_customer,
        store=store,
        title="Call when the linen arrives",
        due_on=timezone.localdate() + timedelta(days=3),
    )
    assert follow_up.assigned_to == associate

    complete_follow_up(by=associate, follow_up=follow_up)
    complete_follow_up(by=associate, follow_up=follow_up)

    follow_up.refresh_from_db()
    assert follow_up.status == FollowUp.Status.DONE
    assert AuditEvent.objects.filter(action="follow_up.done").count() == 1


def test_a_follow_up_cannot_be_due_in_the_past(associate, store, consenting_customer):
    with pytest.raises(ValidationError, match="today or a later day"):
        create_follow_up(
            by=associate,
            customer=consenting_customer,
            store=store,
            title="Too late",
            due_on=timezone.localdate() - timedelta(days=1),
        )


def test_logging_a_call_remembers_when_the_store_last_contacted_her(associate, store, consenting_customer):
    earlier = timezone.now() - timedelta(days=2)
    log_interaction(by=associate, customer=consenting_customer, store=store, kind="call", occurred_at=earlier)
    log_interaction(
        by=associate,
        customer=consenting_customer,
        store=store,
        kind="visit",
        occurred_at=earlier - timedelta(days=5),  # logged late: must not move the date back
    )

    relationship = StoreRelationship.objects.get(customer=consenting_customer, store=store)
    assert relationship.last_contacted_at == earlier
