"""A manager's decisions on the duplicate queue: two profiles are one person (merged into the one she
keeps), or two people (kept apart, never suggested again). A decision on a pair decided meanwhile is
refused."""

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.services import Event, record_events
from consent.selectors import customers_visible_to
from identity.merging import merge_customers
from identity.models import CustomerMerge, DuplicateCandidate

REASON_MAX = 300


class AlreadyDecided(Exception):
    """Someone decided this pair after the page was drawn."""


class NotOfThePair(Exception):
    """The profile to keep is not one of the pair, or not one the manager may see."""


@transaction.atomic
def keep_apart(*, by: User, candidate: DuplicateCandidate) -> None:
    """They are two people: the pair is closed, and audited for both."""
    closed = DuplicateCandidate.objects.filter(pk=candidate.pk, status=DuplicateCandidate.Status.OPEN).update(
        status=DuplicateCandidate.Status.DISTINCT, decided_at=timezone.now(), decided_by=by
    )
    if not closed:
        raise AlreadyDecided
    record_events(
        (
            Event("customer.duplicate_dismissed", customer_id=customer_id, detail={"pair": candidate.pk})
            for customer_id in (candidate.first_id, candidate.second_id)
        ),
        by=by,
    )


@transaction.atomic
def merge_pair(*, by: User, candidate: DuplicateCandidate, keep_public_id: str, reason: str) -> CustomerMerge:
    """They are one person: the other profile is merged into the one kept, which must be one ``by``
    may see. Raises ``NotOfThePair``, ``AlreadyDecided`` or ``MergeRefused``."""
    locked = (
        DuplicateCandidate.objects.select_for_update().select_related("first", "second").get(pk=candidate.pk)
    )
    if locked.status != DuplicateCandidate.Status.OPEN:
        raise AlreadyDecided
    pair = {str(locked.first.public_id): locked.first, str(locked.second.public_id): locked.second}
    survivor = pair.get(keep_public_id)
    if survivor is None or not customers_visible_to(by).filter(pk=survivor.pk).exists():
        raise NotOfThePair("Keep one of the two profiles, one you can see.")
    merged = locked.second if survivor.pk == locked.first_id else locked.first
    merge = merge_customers(
        survivor=survivor,
        merged=merged,
        kind=CustomerMerge.Kind.REVIEWED,
        reason=reason[:REASON_MAX] or "Reviewed as the same person.",
        by=by,
        evidence={"pair": locked.pk, "signals": locked.evidence.get("signals", [])},
    )
    DuplicateCandidate.objects.filter(pk=locked.pk).update(
        status=DuplicateCandidate.Status.MERGED, decided_at=merge.created_at, decided_by=by, merge=merge
    )
    return merge
