"""Reading occasions for My day: hers first, then the store's queue, then her colleagues'; only for
customers the viewer may see now (consent is read again, whatever it was when the rule ran)."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Q
from django.db.models.expressions import RawSQL

from accounts.models import User
from consent.selectors import visible_ids_sql
from occasions.defaults import SUGGESTED_TEMPLATES
from occasions.models import Campaign, Occasion
from occasions.reasons import reason
from outreach.models import MessageTemplate
from stores.models import Store

DAYS_AHEAD = 7
MINE, QUEUE, OTHERS = 0, 1, 2


@dataclass(frozen=True)
class Row:
    occasion: Occasion
    bucket: int  # MINE, QUEUE or OTHERS
    reason: str


def for_my_day(user: User, store: Store | None, today: date) -> list[Row]:
    """Open occasions of ``store`` due within ``DAYS_AHEAD`` days and not snoozed past today: the
    viewer's (up to 40), then the queue's (20), then her colleagues' (10), each by due day. Three
    queries, each down an index to its first rows, whatever the store holds (a million customers'
    store has tens of thousands open: one query sorting them all took 0.7 s)."""
    if store is None:
        return []
    base = (
        Occasion.objects.filter(
            store=store, status=Occasion.Status.OPEN, due_on__lte=today + timedelta(days=DAYS_AHEAD)
        )
        .filter(Q(snoozed_until__isnull=True) | Q(snoozed_until__lte=today))
        # A paused campaign's occasions wait for it to run again.
        .filter(Q(campaign__isnull=True) | Q(campaign__status=Campaign.Status.ACTIVE))
        .filter(customer_id__in=RawSQL(visible_ids_sql(user, store_ids=[store.pk]), []))  # noqa: S611
        .select_related("customer", "product", "owner", "template")
        .order_by("due_on", "kind", "pk")
    )
    buckets = (
        (MINE, base.filter(owner=user), 40),
        (QUEUE, base.filter(owner__isnull=True), 20),
        (OTHERS, base.filter(owner__isnull=False).exclude(owner=user), 10),
    )
    return [Row(o, bucket, reason(o, today)) for bucket, found, limit in buckets for o in found[:limit]]


def open_occasion(store_ids: list[int], occasion_id: int) -> Occasion | None:
    """An open occasion of one of the viewer's stores, or None."""
    return (
        Occasion.objects.filter(pk=occasion_id, store_id__in=store_ids, status=Occasion.Status.OPEN)
        .select_related("customer", "store", "template")
        .first()
    )


def context(rows: list[Row], today: date) -> dict[str, object]:
    """What My day's occasions list draws: the rows, today, and the reasons to dismiss one."""
    return {"occasions": rows, "today": today, "dismissals": Occasion.Dismissal.choices}


def suggested_template(occasion: Occasion, offered: list[MessageTemplate]) -> MessageTemplate | None:
    """The occasion's message among those ``offered`` her: its own template, else the one its rule
    suggests by name in her language (the defaults' names differ by language)."""
    found = next((t for t in offered if t.pk == occasion.template_id), None)
    if found is not None or occasion.template is None:
        return found
    names = {occasion.template.name, *SUGGESTED_TEMPLATES.get(occasion.kind, {}).values()}
    return next((t for t in offered if t.use == occasion.template.use and t.name in names), None)
