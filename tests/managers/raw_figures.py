"""The dashboard's figures computed plainly from the raw rows, by the rollups' definitions
(``managers.rollups``), for tests/managers/test_rollups.py to hold the rollups to."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from consent.models import ConsentEvent, PurposeCode
from customers.models import Customer, StoreRelationship, ValueTier
from managers import rollups
from relationships.models import FollowUp, Interaction
from sales.models import Order, OrderLine
from stores.models import Store
from suggestions.models import Feedback

WINDOW = timedelta(days=14)


@dataclass
class Raw:
    visitors: int = 0
    visitors_consenting: int = 0
    opt_ins: int = 0
    shown: int = 0
    liked: int = 0
    bought: int = 0
    suggestion_sales: Decimal = Decimal(0)
    outreach_orders: int = 0
    outreach_sales: Decimal = Decimal(0)
    associates: Counter[tuple[int, str]] = field(default_factory=Counter)
    customers: int = 0
    consents: Counter[str] = field(default_factory=Counter)
    private_clients: int = 0
    private_clients_assigned: int = 0
    private_clients_contacted: int = 0


def day_of(instant: datetime, store: Store) -> date:
    return instant.astimezone(ZoneInfo(store.timezone)).date()


def end_of(day: date, store: Store) -> datetime:
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=ZoneInfo(store.timezone))


def latest_is_grant(customer_ids: list[int], purpose: str, before: datetime) -> bool:
    events = sorted(
        ConsentEvent.objects.filter(customer_id__in=customer_ids, purpose_id=purpose, occurred_at__lt=before),
        key=lambda e: (e.occurred_at, e.id),
    )
    return bool(events) and events[-1].granted


def raw(stores: list[Store], start: date, end: date) -> Raw:
    r = Raw()
    last = end - timedelta(days=1)
    for s in stores:

        def within(instant: datetime, s: Store = s) -> bool:
            return start <= day_of(instant, s) < end

        visits = {
            (o.customer_id, day_of(o.placed_at, s))
            for o in Order.objects.filter(store=s, customer__isnull=False)
            if within(o.placed_at)
        }
        r.visitors += len(visits)
        r.visitors_consenting += sum(
            latest_is_grant([cid], PurposeCode.PROFILE, end_of(day, s)) for cid, day in visits
        )
        r.opt_ins += len(
            {
                (e.customer_id, day_of(e.occurred_at, s))
                for e in ConsentEvent.objects.filter(purpose_id=PurposeCode.PROFILE, granted=True)
                if (e.store_id or (e.collection_point and e.collection_point.store_id)) == s.pk
                and e.customer.erased_at is None
                and within(e.occurred_at)
            }
        )
        for kind in ("shown", "liked"):
            first: dict[tuple[int, int], datetime] = {}
            for fb in Feedback.objects.filter(store=s, kind=kind):
                key = (fb.customer_id, fb.product_id)
                first[key] = min(first.get(key, fb.at), fb.at)
            firsts = {key: when for key, when in first.items() if within(when)}
            if kind == "liked":
                r.liked += len(firsts)
                continue
            r.shown += len(firsts)
            for (cid, pid), when in firsts.items():
                lines = OrderLine.objects.filter(
                    order__customer_id=cid,
                    product_id=pid,
                    order__placed_at__gt=when,
                    order__placed_at__lte=when + WINDOW,
                )
                if lines:
                    r.bought += 1
                    r.suggestion_sales += sum(line.amount for line in lines)
        outreach = Interaction.objects.filter(store=s, kind__in=["call", "message"])
        attributed = {
            o
            for o in Order.objects.filter(customer__isnull=False)
            if within(o.placed_at)
            and any(
                i.customer_id == o.customer_id and i.occurred_at < o.placed_at <= i.occurred_at + WINDOW
                for i in outreach
            )
        }
        r.outreach_orders += len(attributed)
        r.outreach_sales += sum((o.total_amount for o in attributed), Decimal(0))
        for i in outreach:
            if i.associate_id and within(i.occurred_at):
                r.associates[(i.associate_id, "outreach")] += 1
        for fu in FollowUp.objects.filter(store=s, status="done", done_by__isnull=False):
            if within(fu.done_at):
                r.associates[(fu.done_by_id, "done")] += 1

        # The snapshot as at the end of the last day.
        active = Customer.objects.active()
        related = set(active.filter(home_store=s).values_list("pk", flat=True)) | set(
            active.filter(store_relationships__store=s).values_list("pk", flat=True)
        )
        r.customers += len(related)
        for cid in related:
            family = [cid, *Customer.objects.filter(merged_into_id=cid).values_list("pk", flat=True)]
            for purpose in PurposeCode.values:
                r.consents[purpose] += latest_is_grant(family, purpose, end_of(last, s))
        tops = StoreRelationship.objects.filter(store=s, tier=ValueTier.PRIVATE_CLIENT, customer__in=related)
        r.private_clients += len(tops)
        r.private_clients_assigned += sum(t.assigned_associate_id is not None for t in tops)
        since = datetime.combine(last - timedelta(days=59), time.min, tzinfo=ZoneInfo(s.timezone))
        r.private_clients_contacted += sum(
            Interaction.objects.filter(
                customer_id=t.customer_id, store=s, occurred_at__gte=since, occurred_at__lt=end_of(last, s)
            ).exists()
            for t in tops
        )
    return r


def from_rollups(stores: list[Store], start: date, end: date) -> Raw:
    f = rollups.figures_from_rollups([s.pk for s in stores], start, end)
    associates: Counter[tuple[int, str]] = Counter()
    for a in f.associates:
        associates[(a.user.pk, "outreach")] += a.outreach
        associates[(a.user.pk, "done")] += a.follow_ups_done
    return Raw(
        f.visitors,
        f.visitors_consenting,
        f.opt_ins,
        f.shown,
        f.liked,
        f.bought,
        f.suggestion_sales,
        f.outreach_orders,
        f.outreach_sales,
        +associates,
        f.customers,
        Counter(f.consents),
        f.private_clients,
        f.private_clients_assigned,
        f.private_clients_contacted,
    )
