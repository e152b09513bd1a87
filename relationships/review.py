"""The store manager's review of relationship notes: approve, redact with a reason, or delete.

Every decision is made against the version of the note the manager saw (``seen_version``): if it
changed meanwhile (another manager decided, in another tab), the decision is refused and nothing is
written. A redaction keeps the text it replaces, with the reason, for managers (``NoteRevision``);
the customer sees the current text only. Each decision is audited with ids and topics, never text.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from audit.services import record_event
from relationships.models import Note, NoteRevision
from relationships.sensitive import find_sensitive_topics
from relationships.services import NOTE_MAX_LENGTH

REASON_MAX_LENGTH = 300
# Why a note is deleted, as a code the audit trail can keep (a free-text reason could hold the very
# data the note is deleted for).
DELETE_REASONS = {
    "special_category": _("Special-category data (health, beliefs, …)"),
    "personal_number": _("A card, phone or identity number"),
    "insult": _("Insulting or unprofessional"),
    "wrong_customer": _("About someone else"),
    "other": _("Other"),
}


class StaleReview(Exception):
    """The note changed since the manager's page was drawn."""


def _locked(note: Note, seen_version: int) -> Note:
    current = Note.objects.select_for_update().filter(pk=note.pk).first()
    if current is None:
        raise StaleReview("Someone has deleted this note meanwhile.")
    if current.version != seen_version:
        raise StaleReview("Someone has changed or reviewed this note meanwhile; here it is as it is now.")
    return current


def _reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why, for the note's history."})
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError({"reason": f"Keep the reason under {REASON_MAX_LENGTH} characters."})
    return reason


def _audit(by: User, note: Note, action: str, **detail: object) -> None:
    record_event(
        by=by,
        action=action,
        customer_id=note.customer_id,
        store_id=note.store_id,
        detail={"note_id": note.pk, **detail},
    )


@transaction.atomic
def approve_note(*, by: User, note: Note, seen_version: int) -> Note:
    note = _locked(note, seen_version)
    note.review, note.reviewed_by, note.reviewed_at = Note.Review.APPROVED, by, timezone.now()
    note.version += 1
    note.save(update_fields=["review", "reviewed_by", "reviewed_at", "version"])
    _audit(by, note, "note.approved", flagged_topics=note.flagged_topics)
    return note


@transaction.atomic
def redact_note(*, by: User, note: Note, seen_version: int, body: str, reason: str) -> Note:
    """Replace the note's text, keeping the old one and why in its history."""
    body = body.strip()
    if not body:
        raise ValidationError({"body": "Leave some text, or delete the note instead."})
    if len(body) > NOTE_MAX_LENGTH:
        raise ValidationError({"body": f"Keep notes under {NOTE_MAX_LENGTH} characters."})
    reason = _reason(reason)
    note = _locked(note, seen_version)
    if body == note.body:
        raise ValidationError({"body": "The text is unchanged: edit it, or approve the note as it is."})
    now = timezone.now()
    NoteRevision.objects.create(
        note=note,
        body=note.body,
        flagged_topics=note.flagged_topics,
        replaced_by=by,
        replaced_at=now,
        reason=reason,
    )
    before = note.flagged_topics
    note.body, note.flagged_topics = body, list(find_sensitive_topics(body).topics)
    note.review, note.reviewed_by, note.reviewed_at = Note.Review.REDACTED, by, now
    note.version += 1
    note.save(update_fields=["body", "flagged_topics", "review", "reviewed_by", "reviewed_at", "version"])
    _audit(by, note, "note.redacted", flagged_topics_before=before, flagged_topics=note.flagged_topics)
    return note


@transaction.atomic
def delete_note(*, by: User, note: Note, seen_version: int, reason: str) -> None:
    """Delete the note and its history; the audit trail keeps that it existed, who deleted it and
    why (one of ``DELETE_REASONS``)."""
    if reason not in DELETE_REASONS:
        raise ValidationError({"reason": "Choose why the note goes."})
    note = _locked(note, seen_version)
    _audit(by, note, "note.deleted", reason=reason, flagged_topics=note.flagged_topics)
    note.delete()
