"""Who buys when, where and through which channel: the order skeletons, before their lines."""

from dataclasses import dataclass

import numpy as np

from common import copy as cp
from demo.generate.assortment import LEAVES
from demo.generate.calendar import Calendar
from demo.generate.catalogue import Catalogue, favourite_brand_in, sample_brand_products, sample_products
from demo.generate.catalogue_data import BEAUTY, FOOD
from demo.generate.common import Bar, segment_starts
from demo.generate.customers import Population
from sales.models import Channel, Order
from sales.services.bulk import copy_orders

STORE, WEB, APP = range(3)
CHANNELS = (Channel.STORE, Channel.WEB, Channel.APP)
GUEST_SHARE = 0.11  # anonymous till sales and guest checkouts, relative to customers' orders
STAPLE_MIN_CYCLE = 14  # fresh food (weekly) is bought in ordinary baskets, not as a staple
MERGE_DAYS = 6  # a staple due within this many days of a planned trip is bought on that trip


@dataclass
class Orders:
    """Orders sorted by time (so ids follow time), and lines whose product is already decided."""

    ids: np.ndarray
    customer: np.ndarray  # population index; for guest orders, a look-alike whose tastes it borrows
    guest: np.ndarray
    channel: np.ndarray
    store: np.ndarray  # store index, -1 online
    day: np.ndarray
    placed: np.ndarray
    euro: np.ndarray  # priced in euros (else pounds)
    staple_only: np.ndarray  # a trip made for a staple: that line first, few others
    forced_order: np.ndarray  # order index of each pre-decided line
    forced_product: np.ndarray  # product index, or -1 when only the leaf is decided
    forced_leaf: np.ndarray

    @property
    def count(self) -> int:
        return len(self.customer)


def draw_orders(
    rng: np.random.Generator, people: Population, catalogue: Catalogue, calendar: Calendar
) -> Orders:
    days = calendar.window.days
    span = (people.last_day - people.first_day + 1) / 365.0
    per_customer = rng.poisson(people.frequency * span)
    # Profiles made during the window were made at a purchase; older ones may have lapsed.
    per_customer = np.maximum(per_customer, people.first_day > 0)
    customer = np.repeat(np.arange(people.count), per_customer)
    channel, store = _channels(rng, people, customer, calendar.stores.count)
    first, last = people.first_day[customer], people.last_day[customer]
    day = _days(rng, calendar, store, first, last)
    closed = day < 0  # the chosen store was closed on every day of a very short span
    channel[closed], store[closed] = WEB, -1
    day[closed] = _days(rng, calendar, store[closed], first[closed], last[closed])

    staple_customer, staple_day, staple_product = _staple_purchases(rng, people, catalogue, days)
    # Regular orders are grouped by customer and, within, we look for one close to each due date.
    key = customer * (days + 1) + day
    by_key = np.argsort(key, kind="stable")
    due = staple_customer * (days + 1) + staple_day
    merged = np.full(len(due), -1)
    for offset in (0, -1) if len(key) else ():
        candidate = by_key[np.clip(np.searchsorted(key[by_key], due) + offset, 0, len(key) - 1)]
        near = (customer[candidate] == staple_customer) & (np.abs(day[candidate] - staple_day) <= MERGE_DAYS)
        merged = np.where((merged < 0) & near, candidate, merged)
    alone = merged < 0
    own_customer, own_day, own_product = staple_customer[alone], staple_day[alone], staple_product[alone]
    own_channel, own_store = _channels(rng, people, own_customer, calendar.stores.count)
    closed = (own_store >= 0) & (calendar.stores.opens[np.maximum(own_store, 0), own_day] == 0)
    own_channel[closed], own_store[closed] = WEB, -1

    guests = int(len(customer) * GUEST_SHARE)
    look_alike = rng.integers(people.count, size=guests)
    guest_channel = np.where(rng.random(guests) < 0.85, STORE, WEB)
    guest_store = np.where(guest_channel == STORE, people.home[look_alike], -1)
    guest_day = _days(rng, calendar, guest_store, np.zeros(guests, np.int64), np.full(guests, days - 1))
    guest_store[guest_day < 0], guest_channel[guest_day < 0] = -1, WEB
    guest_day = np.maximum(guest_day, 0)

    n_regular, n_own = len(customer), len(own_customer)
    all_customer = np.concatenate([customer, own_customer, look_alike])
    all_channel = np.concatenate([channel, own_channel, guest_channel])
    all_store = np.concatenate([store, own_store, guest_store])
    all_day = np.concatenate([day, own_day, guest_day])
    position = np.arange(len(all_customer))
    guest = position >= n_regular + n_own
    staple_only = (position >= n_regular) & ~guest
    # Stores charge their own currency; online prices follow the shopper's country.
    where = np.where(all_store >= 0, all_store, people.home[all_customer])
    euro = np.array([spec.currency == "EUR" for spec in calendar.stores.specs])[where]
    placed = _instants(rng, calendar, people, all_customer, all_store, all_day)

    sensitive_order, sensitive_leaf = _sensitive_lines(rng, people, per_customer)
    forced_order = np.concatenate([merged[~alone], n_regular + np.arange(n_own), sensitive_order])
    forced_product = np.concatenate([staple_product[~alone], own_product, np.full(len(sensitive_order), -1)])
    forced_leaf = np.concatenate(
        [catalogue.leaf[staple_product[~alone]], catalogue.leaf[own_product], sensitive_leaf]
    )

    by_time = np.lexsort((all_customer, placed))
    rank = np.empty_like(by_time)
    rank[by_time] = np.arange(len(by_time))
    return Orders(
        ids=cp.next_id(Order) + np.arange(len(by_time), dtype=np.int64),
        customer=all_customer[by_time], guest=guest[by_time], channel=all_channel[by_time],
        store=all_store[by_time], day=all_day[by_time], placed=placed[by_time], euro=euro[by_time],
        staple_only=staple_only[by_time],
        forced_order=rank[forced_order], forced_product=forced_product, forced_leaf=forced_leaf,
    )  # fmt: skip


def write_orders(
    writer: cp.CopyWriter,
    bar: Bar,
    orders: Orders,
    totals: np.ndarray,
    people: Population,
    calendar: Calendar,
) -> None:
    stores = calendar.stores
    in_store = orders.store >= 0
    code = [spec.code[:3].upper() for spec in stores.specs]
    external = [
        f"{code[s]}-{i:08d}" if c == STORE else f"{'W' if c == WEB else 'A'}{i + 40_000_000}"
        for i, c, s in zip(orders.ids.tolist(), orders.channel.tolist(), orders.store.tolist(), strict=True)
    ]
    placed = cp.timestamps(orders.placed)
    copy_orders(
        writer,
        {
            "id": cp.ints(orders.ids),
            "channel": cp.pick(CHANNELS, orders.channel),
            "external_id": external,
            "customer_id": cp.optional_ints(people.ids[orders.customer], ~orders.guest),
            "store_id": cp.optional_ints(stores.ids[np.maximum(orders.store, 0)], in_store),
            "placed_at": placed,
            "currency": cp.pick(["GBP", "EUR"], orders.euro.astype(np.int64)),
            "total_amount": cp.money(totals),
            "created_at": placed,
        },
        bar,
    )


def _channels(
    rng: np.random.Generator, people: Population, customer: np.ndarray, n_stores: int
) -> tuple[np.ndarray, np.ndarray]:
    """Channel from each customer's own mix; store visits mostly at her home store."""
    u = rng.random(len(customer))
    channel = (people.channel_cum[customer] < u[:, None]).sum(axis=1).clip(0, 2)
    elsewhere = rng.random(len(customer)) < 0.12  # shopping while travelling or visiting family
    store = np.where(elsewhere, rng.integers(n_stores, size=len(customer)), people.home[customer])
    return channel, np.where(channel == STORE, store, -1)


def _days(
    rng: np.random.Generator, calendar: Calendar, store: np.ndarray, first: np.ndarray, last: np.ndarray
) -> np.ndarray:
    klass = np.where(store >= 0, store, calendar.online)
    return calendar.sample_days(klass, first, last, rng)


def _instants(
    rng: np.random.Generator,
    calendar: Calendar,
    people: Population,
    customer: np.ndarray,
    store: np.ndarray,
    day: np.ndarray,
) -> np.ndarray:
    placed = calendar.online_instants(people.home[customer], day, rng)
    in_store = np.flatnonzero(store >= 0)
    placed[in_store] = calendar.store_instants(store[in_store], day[in_store], rng)
    return placed


def _staple_purchases(
    rng: np.random.Generator, people: Population, catalogue: Catalogue, days: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Replenishable favourites bought again around their cycle, until the habit lapses.

    Beauty and food lovers get one or two staples; customers with a sensitive taste whose category
    is replenishable (halal food, vitamins…) get it as a staple too.
    """
    beauty_or_food = people.favourite_departments[:, [BEAUTY, FOOD]]
    has = beauty_or_food.any(axis=1) & (rng.random(people.count) < 0.35)
    second = has & (rng.random(people.count) < 0.3)
    owner = np.concatenate([np.flatnonzero(has), np.flatnonzero(second)])
    pick_food = beauty_or_food[owner, 1] & (~beauty_or_food[owner, 0] | (rng.random(len(owner)) < 0.5))
    staple_leaves = {
        department: np.array([i for i, leaf in enumerate(LEAVES)
                              if leaf.department == department and (leaf.cycle or 0) >= STAPLE_MIN_CYCLE])
        for department in (BEAUTY, FOOD)
    }  # fmt: skip
    leaf = np.where(
        pick_food,
        staple_leaves[FOOD][rng.integers(len(staple_leaves[FOOD]), size=len(owner))],
        staple_leaves[BEAUTY][rng.integers(len(staple_leaves[BEAUTY]), size=len(owner))],
    )
    sensitive = np.flatnonzero(people.sensitive_leaf >= 0)
    cyclical = np.array([(LEAVES[i].cycle or 0) > 0 for i in people.sensitive_leaf[sensitive]], dtype=bool)
    sensitive = sensitive[cyclical & (rng.random(len(sensitive)) < 0.4)]
    owner = np.concatenate([owner, sensitive])
    leaf = np.concatenate([leaf, people.sensitive_leaf[sensitive]])

    brand = favourite_brand_in(catalogue, people.favourite_brands[owner], leaf, rng)
    use_brand = (brand >= 0) & (rng.random(len(owner)) < 0.7)
    product = sample_products(catalogue, leaf, rng)
    branded = np.flatnonzero(use_brand)
    product[branded] = sample_brand_products(catalogue, brand[branded], leaf[branded], rng)

    cycle = catalogue.cycle[product].astype(float)
    steps = int(days / (0.6 * max(cycle.min(initial=STAPLE_MIN_CYCLE), 1))) + 2
    gaps = cycle[:, None] * rng.lognormal(0.0, 0.25, (len(owner), steps))
    gaps[:, 0] = rng.random(len(owner)) * cycle
    when = people.first_day[owner][:, None] + np.cumsum(gaps, axis=1)
    lapsed = np.cumsum(rng.random((len(owner), steps)) < 0.07, axis=1) > 0  # the habit ends one day
    elsewhere = rng.random((len(owner), steps)) < 0.3  # and is sometimes bought at another shop
    keep = (when <= people.last_day[owner][:, None]) & ~lapsed & ~elsewhere
    row, step = np.nonzero(keep)
    return owner[row], when[row, step].astype(np.int64), product[row]


def _sensitive_lines(
    rng: np.random.Generator, people: Population, per_customer: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """A few sensitive items slipped into ordinary baskets of the 3% who buy them."""
    buyers = np.flatnonzero((people.sensitive_leaf >= 0) & (per_customer > 0))
    count = 1 + rng.poisson(1.2, len(buyers))
    buyer = np.repeat(buyers, count)
    first_order = segment_starts(per_customer)[buyer]
    order = first_order + (rng.random(len(buyer)) * per_customer[buyer]).astype(np.int64)
    return order, people.sensitive_leaf[buyer]
