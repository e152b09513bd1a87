"""Making occasions: nightly for everyone, and for a few customers when something happens.

``nightly`` first expires what nobody took up in time, then runs each active rule (in
``rules.NIGHTLY``'s order: one may give way to another made before it) over the customers a slice of
ids at a time (``BATCH`` ids a statement, each slice its own transaction), noting in
``OccasionRun`` how far it got: a run cut short goes on from there the next time it is started that
day, and a finished rule is not run again that day. Being made once per (customer, kind, key), an
occasion is never made twice, however often a rule runs. ``for_customers`` runs the given rules for a
few customers at once; ``recent``, every few minutes, runs the event rules for those whose order came
in or whose appointment ended since the last few minutes (a thank-you, a follow-up, within minutes).
"""

import logging
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.db import connection, transaction
from django.db.models import F, Max
from django.utils import timezone

from audit.services import record_event
from customers.models import Customer
from occasions import rules
from occasions.models import Kind, Occasion, OccasionRule, OccasionRun
from outreach.models import Appointment
from sales.models import Order

logger = logging.getLogger(__name__)

BATCH = 100_000


def expire(today: date) -> int:
    """Open occasions past their expiry are expired (one statement)."""
    return Occasion.objects.filter(status=Occasion.Status.OPEN, expires_on__lt=today).update(
        status=Occasion.Status.EXPIRED
    )


def _run(statement: rules.Statement, **slice_: int | list[int]) -> int:
    with connection.cursor() as cursor:
        cursor.execute(statement.sql, {**statement.params, **slice_})
        return cursor.rowcount


def nightly(*, now: datetime | None = None, batch: int = BATCH) -> dict[str, int]:
    """Expire, then make every active rule's occasions for everyone; returns how many of each."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    made = {"expired": expire(today)}
    top = Customer.objects.aggregate(top=Max("pk"))["top"] or 0
    active = OccasionRule.objects.filter(is_active=True, kind__in=rules.NIGHTLY).select_related("template")
    for rule in sorted(active, key=lambda rule: rules.NIGHTLY.index(rule.kind)):
        run, _created = OccasionRun.objects.get_or_create(
            kind=rule.kind, day=today, defaults={"started_at": now}
        )
        if run.finished_at is not None:
            made[rule.kind] = run.made
            continue
        statement = rules.statement(rule, now=now, today=today)
        low = run.last_customer_id + 1
        while low <= top:
            high = low + batch - 1
            with transaction.atomic():
                count = _run(statement, lo=low, hi=high)
                OccasionRun.objects.filter(pk=run.pk).update(last_customer_id=high, made=F("made") + count)
            low = high + 1
        OccasionRun.objects.filter(pk=run.pk).update(finished_at=timezone.now())
        run.refresh_from_db()
        made[rule.kind] = run.made
        logger.info("occasions: %s made %s", rule.kind, run.made)
    record_event(by=None, action="occasions.generated", detail={"day": today.isoformat(), "made": made})
    return made


def for_customers(
    customer_ids: Iterable[int], kinds: Iterable[str], *, now: datetime | None = None
) -> dict[str, int]:
    """Make ``kinds``' occasions for these customers now (an event's, within minutes)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    ids = sorted(set(customer_ids))
    made: dict[str, int] = {}
    if not ids:
        return made
    for rule in OccasionRule.objects.filter(is_active=True, kind__in=list(kinds)):
        if rule.kind not in rules.NIGHTLY:
            continue
        with transaction.atomic():
            made[rule.kind] = _run(rules.statement(rule, now=now, today=today, by_range=False), ids=ids)
    return made


RECENT = timedelta(minutes=15)  # run every 5 minutes: each event is seen three times, made once


def recent(*, now: datetime | None = None) -> dict[str, int]:
    """The occasions events make: a thank-you for orders that came in, a follow-up for appointments
    that ended, in the last ``RECENT``. Three queries and a statement per rule."""
    now = now or timezone.now()
    since = now - RECENT
    bought = Order.objects.filter(created_at__gte=since).values_list("customer_id", flat=True).distinct()
    seen = (
        Appointment.objects.filter(ends_at__gte=since, ends_at__lt=now, status=Appointment.Status.BOOKED)
        .values_list("customer_id", flat=True)
        .distinct()
    )
    made = for_customers([pk for pk in bought if pk], [Kind.THANK_YOU], now=now)
    made |= for_customers(list(seen), [Kind.AFTER_APPOINTMENT], now=now)
    return made
