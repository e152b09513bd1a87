"""Identity, level 1: which customer an incoming order belongs to.

The identifiers an order carries (e-mail, phone in the store's country by default, loyalty number,
the channel's own customer id) are normalised, then looked up together, for a whole request at once.
An order goes to the customer any of them belongs to, following merges to the surviving profile;
identifiers she did not have yet are added to her (not by a store-scoped token to another store's
customer). Identifiers nobody has make a new customer "from sales data". When they belong to two
customers, the strongest identifier wins (``STRENGTH``) and the order's notes say so.
"""

from dataclasses import dataclass, field
from typing import Any

from customers.identifiers import IdentifierKind, InvalidIdentifier, normalise
from customers.models import Customer, CustomerIdentifier, Source
from stores.models import Store

STRENGTH = (IdentifierKind.LOYALTY, IdentifierKind.EMAIL, IdentifierKind.PHONE, IdentifierKind.EXTERNAL)


@dataclass
class PendingOrder:
    """An order of the request on its way in: what identity resolution and the write need."""

    index: int
    key: str
    data: dict[str, Any]
    store: Store | None = None
    identifiers: list[tuple[str, str, str]] = field(default_factory=list)  # (kind, namespace, value)
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


def resolve_customers(orders: list[PendingOrder], allowed: set[int] | None) -> list[int]:
    """Set each order's customer; returns the ids of customers created from these orders."""
    keys = {key for o in orders for key in o.identifiers}
    owners: dict[tuple[str, str, str], int] = {}
    if keys:
        rows = CustomerIdentifier.objects.filter(
            value__in={v for _, _, v in keys}, kind__in={k for k, _, _ in keys}
        ).values_list("kind", "namespace", "value", "customer_id")
        owners = {(k, ns, v): pk for k, ns, v, pk in rows if (k, ns, v) in keys}
        surviving = survivors(set(owners.values()))
        owners = {key: surviving[pk] for key, pk in owners.items()}
    # A store-scoped token may attach orders to a customer of another store (the sale happened in
    # its store), but not give her new identifiers: whoever holds them would get her next orders.
    homes = (
        dict(Customer.objects.filter(pk__in=set(owners.values())).values_list("pk", "home_store_id"))
        if allowed is not None
        else {}
    )
    strangers: list[Customer] = []
    placeholders: dict[tuple[str, str, str], Customer] = {}  # identifiers of customers made below
    pending: list[tuple[PendingOrder, Customer]] = []
    new_identifiers: list[tuple[tuple[str, str, str], Customer | int]] = []
    for order in orders:
        if not order.identifiers:
            continue  # a guest checkout
        known = [owners[key] for key in order.identifiers if key in owners]
        made = [placeholders[key] for key in order.identifiers if key in placeholders]
        owner: Customer | int
        if known:
            owner = order.customer_id = known[0]  # identifiers are in order of strength
            if len(set(known)) > 1:
                order.notes.append(
                    "Its identifiers belong to more than one customer; attached to the strongest match."
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
        for (kind, namespace, value), owner in new_identifiers
    )
    return [customer.pk for customer in strangers]


def survivors(customer_ids: set[int]) -> dict[int, int]:
    """Each customer's surviving profile, following merges however deep (one query per level)."""
    survivor = {pk: pk for pk in customer_ids}
    pending = set(customer_ids)
    for _ in range(20):  # merges never form a loop; this only bounds a corrupted chain
        if not pending:
            break
        merged = dict(
            Customer.objects.filter(pk__in=pending, merged_into__isnull=False).values_list(
                "pk", "merged_into_id"
            )
        )
        for pk, into in list(survivor.items()):
            if into in merged:
                survivor[pk] = merged[into]
        pending = set(merged.values())
    return survivor
