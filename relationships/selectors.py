"""What a store manager may see of relationship notes: those written in her stores (every store for
administrators) about a customer she may see today (``consent.selectors``). A note about someone
who has since withdrawn her consent stays out of sight; the queue only counts them."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from accounts.models import Role, StoreMembership, User
from accounts.selectors import colleagues_of
from consent.selectors import customers_visible_to
from customers.models import Customer
from relationships.models import FollowUp, Note, NoteRevision

FLAGGED = "flagged"
UNFLAGGED = "unflagged"
ALL = "all"


@dataclass(frozen=True)
class NoteFilters:
    """The review queue's filters, as the manager chose them (validated by the view's form)."""

    review: str = Note.Review.PENDING  # or ALL
    author_id: int | None = None
    flag: str = ""  # "", FLAGGED, UNFLAGGED or a topic
    since: date | None = None
    until: date | None = None


def _in_her_stores(user: User) -> Q:
    if user.role == Role.ADMIN:
        return Q()
    return Q(store__in=StoreMembership.objects.filter(user=user).values("store_id"))


def notes_for_review(user: User, filters: NoteFilters) -> QuerySet[Note]:
    """Her stores' notes about customers she may see, newest first, as ``filters`` narrow them."""
    notes = Note.objects.filter(_in_her_stores(user)).filter(
        Exists(customers_visible_to(user).filter(pk=OuterRef("customer_id")))
    )
    if filters.review != ALL:
        notes = notes.filter(review=filters.review)
    if filters.author_id is not None:
        notes = notes.filter(author_id=filters.author_id)
    if filters.flag == FLAGGED:
        notes = notes.exclude(flagged_topics=[])
    elif filters.flag == UNFLAGGED:
        notes = notes.filter(flagged_topics=[])
    elif filters.flag:
        notes = notes.filter(flagged_topics__contains=[filters.flag])
    if filters.since:
        notes = notes.filter(created_at__gte=_start_of(filters.since))
    if filters.until:
        notes = notes.filter(created_at__lt=_start_of(filters.until, next_day=True))
    return (
        notes.select_related("customer", "author", "store", "reviewed_by")
        .prefetch_related(Prefetch("revisions", queryset=NoteRevision.objects.select_related("replaced_by")))
        .order_by("-created_at", "-pk")
    )


def hidden_pending_count(user: User) -> int:
    """Her stores' notes waiting for review about customers who no longer consent to be seen."""
    return (
        Note.objects.filter(_in_her_stores(user), review=Note.Review.PENDING)
        .exclude(Exists(customers_visible_to(user).filter(pk=OuterRef("customer_id"))))
        .count()
    )


def authors_for_review(user: User) -> QuerySet[User]:
    """The staff of her stores, whose notes she may filter by."""
    return colleagues_of(user).filter(is_active=True)


def note_for_review(user: User, note_id: int) -> Note:
    """One note she may review, or ``Note.DoesNotExist``."""
    visible = customers_visible_to(user).filter(pk=OuterRef("customer_id"))
    return Note.objects.filter(_in_her_stores(user), Exists(visible)).get(pk=note_id)


def _start_of(day: date, *, next_day: bool = False) -> datetime:
    moment = datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())
    return moment + timedelta(days=1) if next_day else moment


def follow_up_of(customer: Customer, follow_up_id: int) -> FollowUp | None:
    return FollowUp.objects.filter(customer=customer, pk=follow_up_id).first()
