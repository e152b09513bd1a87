"""Returns of what did not fit, and the service around sales: alterations, repairs, appointments."""

from dataclasses import dataclass, fields

import numpy as np

from common import copy as cp
from demo.generate.assortment import LEAVES
from demo.generate.baskets import Lines, products_she_likes
from demo.generate.calendar import Calendar
from demo.generate.catalogue import Catalogue
from demo.generate.catalogue_data import FASHION
from demo.generate.common import Bar
from demo.generate.customers import Population
from demo.generate.orders import CHANNELS, STORE, Orders
from sales.models import Return, ReturnLine, ServiceEpisode
from sales.services.bulk import copy_return_lines, copy_returns, copy_service_episodes

REASONS = (
    "Too small", "Too large", "Changed my mind", "Not as pictured", "Faulty", "Colour not as expected",
    "Quality not as expected", "Arrived too late",
)  # fmt: skip
OTHER_REASON_WEIGHTS = np.array([0.0, 0.0, 0.34, 0.2, 0.1, 0.14, 0.14, 0.08])
ALTERATIONS = {
    "w-trousers": ("Shorten hem by 3 cm", "Take in waist", "Taper the leg"),
    "w-skirts": ("Take up hem by 4 cm", "Take in waist"),
    "w-dresses": ("Take up hem", "Adjust shoulder straps", "Take in at the waist"),
    "w-coats": ("Shorten sleeves by 2 cm", "Move buttons"),
    "m-trousers": ("Shorten hem by 2 cm", "Let out waist", "Turn-ups, 4 cm"),
    "m-suits": ("Shorten sleeves by 1.5 cm", "Take in jacket at the waist", "Hem trousers, half break"),
    "m-coats": ("Shorten sleeves by 2 cm",),
}
REPAIRS = {
    "s-women": ("Re-heel and polish", "Replace heel tips", "Stretch the left shoe"),
    "s-men": ("Resole, leather", "Re-heel and polish"),
    "a-bags": ("Re-stitch handle", "Replace zip", "Clean and condition leather"),
    "a-watches": ("Replace battery", "Resize bracelet", "Service movement"),
    "a-jewellery": ("Resize ring", "Repair clasp", "Re-plate"),
}
APPOINTMENTS = (
    "Personal styling: new-season wardrobe", "Personal styling: wedding guest outfit", "Beauty consultation",
    "Fragrance discovery session", "Christmas gift consultation", "Suit fitting", "Workwear refresh",
)  # fmt: skip
STATUSES = (ServiceEpisode.Status.OPEN, ServiceEpisode.Status.DONE, ServiceEpisode.Status.CANCELLED)
VISITS = (
    "Browsed coats, will come back for sizing", "Asked about a restock in their size",
    "Collected a click & collect order", "Tried on shoes, undecided", "Came in for a skincare sample",
    "Looked at bedding for the new flat",
)  # fmt: skip


def write_returns(
    writer: cp.CopyWriter,
    bar: Bar,
    rng: np.random.Generator,
    lines: Lines,
    orders: Orders,
    people: Population,
    catalogue: Catalogue,
    calendar: Calendar,
) -> np.ndarray:
    """One return per order with returned lines; gives back which lines went back (never altered)."""
    online = orders.channel[lines.order] != STORE
    fashion = np.isin(catalogue.department[lines.product], FASHION)
    # Fashion bought online comes back most, and a size bought off her usual one more still.
    chance = np.where(fashion, np.where(online, 0.17, 0.055) + 0.3 * (lines.size_off != 0), 0.012)
    returned = rng.random(lines.count) < chance

    order = np.unique(lines.order[returned])  # one return per order, sorted by order index
    customer = orders.customer[order]
    bought_in = orders.store[order]
    store = np.where(bought_in >= 0, bought_in, people.home[customer])
    # In-store sales come back to the store; online ones by post, or to her store a third of the time.
    wants_store = (bought_in >= 0) | (rng.random(len(order)) < 0.35)
    day, store_open = _next_open_day(calendar, store, orders.day[order] + rng.integers(2, 28, len(order)))
    in_store = wants_store & store_open
    last = calendar.window.days - 1
    at = np.where(
        in_store,
        calendar.store_instants(store, np.minimum(day, last), rng),
        calendar.online_instants(people.home[customer], np.minimum(day, last), rng),
    )
    keep = (day <= last) & (at < calendar.window.end)  # not yet returned on the anchor day
    order, customer, store, in_store, at = order[keep], customer[keep], store[keep], in_store[keep], at[keep]
    returned &= np.isin(lines.order, order)

    rows = np.flatnonzero(returned)
    reason = _reasons(rng, lines.size_off[rows], online[rows])
    partial = (lines.quantity[rows] > 1) & (rng.random(len(rows)) < 0.5)
    quantity = np.where(partial, 1, lines.quantity[rows])
    amount = lines.unit[rows] * quantity
    slot = np.searchsorted(order, lines.order[rows])  # which return each returned line belongs to
    refund = np.round(np.bincount(slot, weights=amount, minlength=len(order))).astype(np.int64)
    first_reason = np.zeros(len(order), dtype=np.int64)
    first_reason[slot[::-1]] = reason[::-1]  # the first returned line's reason speaks for the return

    by_time = np.argsort(at, kind="stable")
    first = cp.next_id(Return)
    return_id = np.empty(len(order), dtype=np.int64)
    return_id[by_time] = first + np.arange(len(order))
    o, n = by_time, len(order)
    copy_returns(
        writer,
        {
            "id": cp.id_range(first, n),
            "channel": cp.pick(CHANNELS, np.where(in_store, STORE, orders.channel[order])[o]),
            "external_id": [f"RT{i:08d}" for i in range(first, first + n)],
            "order_id": cp.ints(orders.ids[order[o]]),
            "customer_id": cp.optional_ints(people.ids[customer[o]], ~orders.guest[order[o]]),
            "store_id": cp.optional_ints(calendar.stores.ids[store[o]], in_store[o]),
            "returned_at": cp.timestamps(at[o]),
            "reason": cp.pick(REASONS, first_reason[o]),
            "refund_amount": cp.money(refund[o]),
            "created_at": cp.timestamps(at[o]),
        },
        bar,
    )
    by_return = np.argsort(return_id[slot], kind="stable")
    copy_return_lines(
        writer,
        {
            "id": cp.id_range(cp.next_id(ReturnLine), len(rows)),
            "return_record_id": cp.ints(return_id[slot][by_return]),
            "order_line_id": cp.ints(lines.ids[rows][by_return]),
            "quantity": cp.ints(quantity[by_return]),
            "amount": cp.money(amount[by_return]),
        },
        bar,
    )
    return returned


def _reasons(rng: np.random.Generator, size_off: np.ndarray, online: np.ndarray) -> np.ndarray:
    """Too small / too large when bought off-size; otherwise the usual mix (lateness only online)."""
    other = rng.choice(len(REASONS), size=len(size_off), p=OTHER_REASON_WEIGHTS)
    other = np.where(
        (other == REASONS.index("Arrived too late")) & ~online, REASONS.index("Changed my mind"), other
    )
    return np.where(size_off < 0, 0, np.where(size_off > 0, 1, other))


def _next_open_day(calendar: Calendar, store: np.ndarray, day: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Move each day forward to the store's next open day (within a week); False if none in range."""
    last = calendar.window.days - 1
    day = day.copy()
    is_open = np.zeros(len(day), dtype=bool)
    for _ in range(7):
        inside = day <= last
        is_open = inside & (calendar.stores.opens[store, np.minimum(day, last)] > 0)
        day = np.where(is_open | ~inside, day, day + 1)
    return day, is_open


@dataclass(frozen=True)
class _Episodes:
    """Service episodes before ids: whose, where, which day, about what, and for how long."""

    customer: np.ndarray
    store: np.ndarray
    day: np.ndarray
    product: np.ndarray  # product index, -1 for none
    kind: np.ndarray
    summary: np.ndarray
    hours_open: np.ndarray

    @staticmethod
    def join(parts: list["_Episodes"]) -> "_Episodes":
        return _Episodes(*(np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(_Episodes)))

    def where(self, keep: np.ndarray) -> "_Episodes":
        return _Episodes(*(getattr(self, f.name)[keep] for f in fields(_Episodes)))


def write_services(
    writer: cp.CopyWriter,
    bar: Bar,
    rng: np.random.Generator,
    lines: Lines,
    orders: Orders,
    people: Population,
    catalogue: Catalogue,
    calendar: Calendar,
    returned: np.ndarray,
) -> None:
    """Alterations soon after tailoring purchases, repairs months later, appointments and visits."""
    kept = ~returned & ~orders.guest[lines.order]
    episodes = _Episodes.join(
        [
            _after_purchase(rng, lines, orders, people, catalogue, kept, ServiceEpisode.Kind.ALTERATION),
            _after_purchase(rng, lines, orders, people, catalogue, kept, ServiceEpisode.Kind.REPAIR),
            _visits(rng, people, catalogue, calendar, ServiceEpisode.Kind.APPOINTMENT),
            _visits(rng, people, catalogue, calendar, ServiceEpisode.Kind.VISIT),
        ]
    )
    last = calendar.window.days - 1
    episodes = episodes.where(
        (episodes.day <= last) & (calendar.stores.opens[episodes.store, np.minimum(episodes.day, last)] > 0)
    )
    opened = calendar.store_instants(episodes.store, episodes.day, rng)
    cancelled = rng.random(len(opened)) < 0.04
    closed = np.where(cancelled, opened + 2 * 3600, opened + episodes.hours_open * 3600)
    status = np.where(closed >= calendar.window.end, 0, np.where(cancelled, 2, 1))  # index into STATUSES
    o = np.argsort(opened, kind="stable")
    first = cp.next_id(ServiceEpisode)
    n = len(o)
    product = episodes.product[o]
    copy_service_episodes(
        writer,
        {
            "id": cp.id_range(first, n),
            "external_id": [f"SV-{i:08d}" for i in range(first, first + n)],
            "kind": cp.texts(episodes.kind[o].tolist()),
            "status": cp.pick(STATUSES, status[o]),
            "customer_id": cp.ints(people.ids[episodes.customer[o]]),
            "store_id": cp.ints(calendar.stores.ids[episodes.store[o]]),
            "product_id": cp.optional_ints(catalogue.product_ids[np.maximum(product, 0)], product >= 0),
            "opened_at": cp.timestamps(opened[o]),
            "closed_at": cp.optional_timestamps(closed[o], status[o] > 0),
            "summary": cp.texts(episodes.summary[o].tolist()),
            "created_at": cp.timestamps(opened[o]),
        },
        bar,
    )


def _after_purchase(
    rng: np.random.Generator,
    lines: Lines,
    orders: Orders,
    people: Population,
    catalogue: Catalogue,
    kept: np.ndarray,
    kind: ServiceEpisode.Kind,
) -> _Episodes:
    """Alterations within days of buying tailoring; repairs of shoes, bags and watches months later."""
    table, chance, delay, days_open = {
        ServiceEpisode.Kind.ALTERATION: (ALTERATIONS, 0.12, (0, 4), (4, 14)),
        ServiceEpisode.Kind.REPAIR: (REPAIRS, 0.025, (60, 400), (7, 28)),
    }[kind]
    codes = [leaf.code for leaf in LEAVES]
    leaf = catalogue.leaf[lines.product]
    eligible = np.isin(leaf, [codes.index(code) for code in table]) & kept
    rows = np.flatnonzero(eligible & (rng.random(lines.count) < chance))
    order = lines.order[rows]
    customer = orders.customer[order]
    store = np.where(orders.store[order] >= 0, orders.store[order], people.home[customer])
    pick = rng.random(len(rows)).tolist()
    summary = [
        table[codes[i]][int(u * len(table[codes[i]]))] for i, u in zip(leaf[rows].tolist(), pick, strict=True)
    ]
    return _Episodes(
        customer=customer,
        store=store,
        day=orders.day[order] + rng.integers(*delay, len(rows)),
        product=lines.product[rows],
        kind=np.full(len(rows), kind, dtype=object),
        summary=np.array(summary, dtype=object),
        hours_open=rng.integers(*days_open, len(rows)) * 24,
    )


def _visits(
    rng: np.random.Generator,
    people: Population,
    catalogue: Catalogue,
    calendar: Calendar,
    kind: ServiceEpisode.Kind,
) -> _Episodes:
    """Styling appointments for the best customers; visits, half about a product she had in mind."""
    store_goers = people.channel_cum[:, 0] > 0
    table: tuple[str, ...]
    if kind == ServiceEpisode.Kind.APPOINTMENT:
        who = np.flatnonzero(store_goers & (people.value >= np.quantile(people.value, 0.9)))
        per_year, table = 1.2, APPOINTMENTS
    else:
        who = np.flatnonzero(store_goers & (rng.random(people.count) < 0.08))
        per_year, table = 0.6, VISITS
    span = (people.last_day[who] - people.first_day[who] + 1) / 365
    count = rng.poisson(per_year * span) + (kind == ServiceEpisode.Kind.VISIT)
    customer = np.repeat(who, count)
    store = people.home[customer]
    day = calendar.sample_days(store, people.first_day[customer], people.last_day[customer], rng)
    product = np.full(len(customer), -1)
    if kind == ServiceEpisode.Kind.VISIT:
        asked = np.flatnonzero(rng.random(len(customer)) < 0.5)
        product[asked] = products_she_likes(rng, people, catalogue, customer[asked])
    return _Episodes(
        customer=customer,
        store=store,
        day=np.where(day >= 0, day, calendar.window.days),  # no open day: dropped by the caller
        product=product,
        kind=np.full(len(customer), kind, dtype=object),
        summary=np.array(table, dtype=object)[rng.integers(len(table), size=len(customer))],
        hours_open=np.ones(len(customer), dtype=np.int64),
    )
