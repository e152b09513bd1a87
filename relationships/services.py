"""Notes, follow-ups and interactions: the associate's side of the relationship, each write audited."""

from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from audit.services import record_event
from customers.models import Customer, StoreRelationship
from relationships.models import FollowUp, Interaction, Note
from relationships.sensitive import Finding, find_sensitive_topics
from stores.models import Store

NOTE_MAX_LENGTH = 2000


class SensitiveContent(Exception):
    """The note seems to mention special-category data; save it only if the author confirms."""

    def __init__(self, finding: Finding) -> None:
        super().__init__(", ".join(finding.topics))
        self.finding = finding


@transaction.atomic
def add_note(
    *, by: User, customer: Customer, store: Store | None, body: str, confirmed: bool = False
) -> Note:
    """Save a note for the store manager's review. If it mentions a sensitive topic, refuse unless
    ``confirmed``; a confirmed one is kept with its topics, which the review highlights."""
    body = body.strip()
    if not body:
        raise ValidationError({"body": "Write something first."})
    if len(body) > NOTE_MAX_LENGTH:
        raise ValidationError({"body": f"Keep notes under {NOTE_MAX_LENGTH} characters."})
    finding = find_sensitive_topics(body)
    if finding and not confirmed:
        raise SensitiveContent(finding)
    note = Note.objects.create(
        customer=customer,
        store=store,
        author=by,
        body=body,
        flagged_topics=list(finding.topics),
    )
    record_event(
        by=by,
        action="note.added",
        customer_id=customer.pk,
        store_id=store.pk if store else None,
        detail={"note_id": note.pk, "flagged_topics": list(finding.topics)},
    )
    return note


@transaction.atomic
def create_follow_up(
    *, by: User, customer: Customer, store: Store, title: str, due_on: date, assigned_to: User | None = None
) -> FollowUp:
    title = title.strip()
    if not title:
        raise ValidationError({"title": "Say what to follow up on."})
    if due_on < timezone.localdate():
        raise ValidationError({"due_on": "Choose today or a later day."})
    follow_up = FollowUp.objects.create(
        customer=customer,
        store=store,
        assigned_to=assigned_to or by,
        created_by=by,
        title=title,
        due_on=due_on,
    )
    record_event(
        by=by,
        action="follow_up.created",
        customer_id=customer.pk,
        store_id=store.pk,
        detail={"follow_up_id": follow_up.pk, "due_on": due_on.isoformat()},
    )
    return follow_up


@transaction.atomic
def complete_follow_up(*, by: User, follow_up: FollowUp) -> FollowUp:
    """Mark a follow-up done; doing it twice changes nothing."""
    updated = FollowUp.objects.filter(pk=follow_up.pk, status=FollowUp.Status.OPEN).update(
        status=FollowUp.Status.DONE, done_at=timezone.now(), done_by=by
    )
    follow_up.refresh_from_db()
    if updated:
        record_event(
            by=by,
            action="follow_up.done",
            customer_id=follow_up.customer_id,
            store_id=follow_up.store_id,
            detail={"follow_up_id": follow_up.pk},
        )
    return follow_up


@transaction.atomic
def log_interaction(
    *,
    by: User,
    customer: Customer,
    store: Store | None,
    kind: str,
    summary: str = "",
    occurred_at: datetime | None = None,
) -> Interaction:
    """Record a visit, call or message, and remember when the store last contacted her."""
    when = occurred_at or timezone.now()
    if when > timezone.now() + timedelta(minutes=5):
        raise ValidationError({"occurred_at": "That is in the future."})
    interaction = record_contact(
        customer=customer, store=store, associate=by, kind=kind, occurred_at=when, summary=summary
    )
    record_event(
        by=by,
        action="interaction.logged",
        customer_id=customer.pk,
        store_id=store.pk if store else None,
        detail={"interaction_id": interaction.pk, "kind": kind},
    )
    return interaction


def record_contact(
    *,
    customer: Customer,
    store: Store | None,
    associate: User | None,
    kind: str,
    occurred_at: datetime,
    summary: str = "",
) -> Interaction:
    """The contact itself, and the store's "last contacted"; callers audit what they did."""
    interaction = Interaction.objects.create(
        customer=customer,
        store=store,
        associate=associate,
        kind=kind,
        occurred_at=occurred_at,
        summary=summary.strip()[:280],
    )
    if store is not None:
        relationship, _ = StoreRelationship.objects.get_or_create(customer=customer, store=store)
        StoreRelationship.objects.filter(pk=relationship.pk).filter(
            Q(last_contacted_at__isnull=True) | Q(last_contacted_at__lt=occurred_at)
        ).update(last_contacted_at=occurred_at)
    return interaction
