"""Identity, level 1: which customer an incoming order belongs to.

The identifiers an order carries (e-mail, phone in the store's country by default, loyalty number,
the channel's own customer id) are normalised, then looked up together, for a whole request at once.
An order goes to the customer any of them belongs to, following merges to the surviving profile;
identifiers she did not have yet are added to her (not by a store-scoped token to another store's
customer). Identifiers nobody has make a new customer "from sales data". When they belong to several
customers, those named by a strong identifier (``IDENTITY_AUTO_MERGE_KINDS``) are merged and the
others queued for a manager's review (``unite``); the order goes to the strongest match (``STRENGTH``)
and its notes say what happened.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from audit.services import Event, record_events
from customers.identifiers import IdentifierKind, InvalidIdentifier, normalise
from customers.models import Customer, CustomerIdentifier, Source
from customers.services.profiles import survivors
from identity.duplicates import queue_pair
from identity.merging import merge_customers, pick_survivor
from identity.models import CustomerMerge
from stores.models import Store

Identifier = tuple[str, str, str]  # (kind, namespace, value), normalised
STRENGTH = (IdentifierKind.LOYALTY, IdentifierKind.EMAIL, IdentifierKind.PHONE, IdentifierKind.EXTERNAL)


@dataclass
class PendingOrder:
    """An order of the request on its way in: what identity resolution and the write need."""

    index: int
    key: str
    data: dict[str, Any]
    store: Store | None = None
    identifiers: list[Identifier] = field(default_factory=list)  # (kind, namespace, value)
    customer_id: int | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    status: str = ""
    rows: list[tuple[Any, ...]] = field(default_factory=list)  # its lines as written


def parse_identifiers(orders: list[PendingOrder]) -> None:
    for order in orders:
        ref = order.data.get("customer") or {}
        region = order.store.country if order.store else None
        for kind in STRENGTH:
            raw = ref.get("external_id" if kind == IdentifierKind.EXTERNAL else kind, "")
            if not raw or not raw.strip():
                continue
            namespace = order.data["channel"] if kind == IdentifierKind.EXTERNAL else ""
            try:
                order.identifiers.append((kind, namespace, normalise(kind, raw, default_region=region)))
            except InvalidIdentifier as error:
                name = "external_id" if kind == IdentifierKind.EXTERNAL else kind
                order.errors[f"customer.{name}"] = [str(error)]


def owners_of(keys: set[Identifier]) -> dict[Identifier, int]:
    """The customer each known identifier belongs to today (a merged profile's survivor), in one query."""
    if not keys:
        return {}
    rows = CustomerIdentifier.objects.filter(
        value__in={v for _, _, v in keys}, kind__in={k for k, _, _ in keys}
    ).values_list("kind", "namespace", "value", "customer_id")
    owners = {(k, ns, v): pk for k, ns, v, pk in rows if (k, ns, v) in keys}
    surviving = survivors(set(owners.values()))
    return {key: surviving[pk] for key, pk in owners.items()}


def resolve_customers(
    orders: list[PendingOrder], allowed: set[int] | None, *, actor_kind: str = "system"
) -> list[int]:
    """Set each order's customer; returns the ids of customers created from these orders.

    Identifiers given to a customer already here are audited (their kinds, never values) and noted
    on the order."""
    owners = owners_of({key for o in orders for key in o.identifiers})
    # A store-scoped token may attach orders to a customer of another store (the sale happened in
    # its store), but not give her new identifiers: whoever holds them would get her next orders.
    homes = (
        dict(Customer.objects.filter(pk__in=set(owners.values())).values_list("pk", "home_store_id"))
        if allowed is not None
        else {}
    )
    strangers: list[Customer] = []
    placeholders: dict[Identifier, Customer] = {}  # identifiers of customers made below
    pending: list[tuple[PendingOrder, Customer]] = []
    new_identifiers: list[tuple[Identifier, Customer | int]] = []
    added: dict[int, set[str]] = defaultdict(set)  # identifier kinds given to customers already here
    for order in orders:
        if not order.identifiers:
            continue  # a guest checkout
        known = [owners[key] for key in order.identifiers if key in owners]
        made = [placeholders[key] for key in order.identifiers if key in placeholders]
        owner: Customer | int
        if known:
            owner = order.customer_id = known[0]  # identifiers are in order of strength
            if len(set(known)) > 1:
                owner = order.customer_id = unite(
                    order.identifiers,
                    owners,
                    allowed,
                    actor_kind,
                    source=f"Order {order.key}",
                    notes=order.notes,
                )
        elif made:
            owner = made[0]  # a stranger named twice in this request is one new customer
            pending.append((order, owner))
        else:
            ref = order.data.get("customer") or {}
            owner = Customer(
                given_name=ref.get("given_name", ""),
                family_name=ref.get("family_name", ""),
                country=order.store.country if order.store else "",
                home_store=order.store,
                source=Source.SALES,
            )
            strangers.append(owner)
            pending.append((order, owner))
        foreign = isinstance(owner, int) and allowed is not None and homes.get(owner) not in allowed
        for key in order.identifiers:
            if key not in owners and key not in placeholders:
                if foreign:
                    order.notes.append("New identifiers of another store's customer were not added.")
                    break
                if isinstance(owner, Customer):
                    placeholders[key] = owner
                else:
                    owners[key] = owner
                    added[owner].add(key[0])
                    order.notes.append(f"Her profile was given the {key[0]} identifier this order carried.")
                new_identifiers.append((key, owner))
    Customer.objects.bulk_create(strangers)
    for order, customer in pending:
        order.customer_id = customer.pk
    CustomerIdentifier.objects.bulk_create(
        CustomerIdentifier(
            customer_id=owner.pk if isinstance(owner, Customer) else owner,
            kind=kind,
            namespace=namespace,
            value=value,
        )
        # In key order, as every request inserts them: two requests adding the same identifiers then
        # wait for each other in the same order (one of them retries), never in a deadlock.
        for (kind, namespace, value), owner in sorted(new_identifiers, key=lambda pair: pair[0])
    )
    record_events(
        (
            Event("customer.identifiers_added", customer_id=pk, detail={"kinds": sorted(kinds)})
            for pk, kinds in added.items()
        ),
        by=None,
        actor_kind=actor_kind,
    )
    return [customer.pk for customer in strangers]


def unite(
    identifiers: list[Identifier],
    owners: dict[Identifier, int],
    allowed: set[int] | None,
    actor_kind: str,
    *,
    source: str,
    notes: list[str],
) -> int:
    """A record (``source``, say "Order T-1") whose identifiers belong to several customers: the ones
    named by an identifier of an ``IDENTITY_AUTO_MERGE_KINDS`` kind are one person and are merged (when
    the token may write all of them); any other is queued for a manager's review beside the profile
    the record goes to, which is returned (the first identifier's owner, or the merge's survivor).
    ``owners`` is brought up to date; what happened is added to ``notes``."""
    kinds: dict[int, set[str]] = defaultdict(set)
    for key in identifiers:
        if key in owners:
            kinds[owners[key]].add(key[0])
    strongest = owners[next(key for key in identifiers if key in owners)]
    automatic = set(settings.IDENTITY_AUTO_MERGE_KINDS)
    group = [pk for pk, found in kinds.items() if found & automatic]
    if allowed is not None and len(group) > 1:
        in_scope = set(
            Customer.objects.related_to_stores(list(allowed))
            .filter(pk__in=group)
            .values_list("pk", flat=True)
        )
        if in_scope != set(group):
            group = []
    anchor = strongest
    if len(group) > 1:
        customers = list(Customer.objects.filter(pk__in=group))
        keep = pick_survivor(customers)
        for other in customers:
            if other.pk != keep.pk:
                merge_customers(
                    survivor=keep,
                    merged=other,
                    kind=CustomerMerge.Kind.AUTOMATIC,
                    reason=f"{source} carried identifiers of both profiles.",
                    actor_kind=actor_kind,
                    evidence={"shared": sorted(kinds[other.pk] | kinds[keep.pk]), "source": source},
                )
        for key, pk in owners.items():
            if pk in group:
                owners[key] = keep.pk
        anchor = keep.pk
        notes.append(f"Its identifiers belonged to {len(group)} customers; they were merged into one.")
    queued = [pk for pk in kinds if pk != anchor and not (len(group) > 1 and pk in group)]
    for pk in queued:
        queue_pair(anchor, pk, signals=[f"shared_{kind}" for kind in kinds[pk]], note=source)
    if queued:
        notes.append(
            "Some of its identifiers belong to another customer; attached to the strongest match, "
            "and the two profiles are queued for a manager's review."
        )
    return anchor
