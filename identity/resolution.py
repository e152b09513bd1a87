"""Identity, level 1: which customer a record from another system belongs to (an order, a service
episode, a customer record).

The identifiers a record carries (e-mail, phone in the store's country by default, loyalty number,
the sending system's own customer id), normalised by the caller, are looked up together, for a whole
batch at once. A record goes to the customer any of them belongs to, following merges to the
surviving profile; identifiers she did not have yet are added to her (not by a writer limited to
some stores, to another store's customer). Identifiers nobody has make a new customer "from sales
data". When they belong to several customers, those named by a strong identifier
(``IDENTITY_AUTO_MERGE_KINDS``) are merged and the others queued for a manager's review (``unite``);
the record goes to the strongest match (``STRENGTH``) and its notes say what happened.
"""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from audit.services import Event, record_event, record_events
from common.upsert import CREATED, UNCHANGED, UPDATED
from customers.identifiers import IdentifierKind
from customers.models import Customer, CustomerIdentifier, Source
from customers.services.profiles import survivors
from identity.duplicates import queue_pair
from identity.merging import merge_customers, pick_survivor
from identity.models import CustomerMerge
from stores.models import Store

Identifier = tuple[str, str, str]  # (kind, namespace, value), normalised
STRENGTH = (IdentifierKind.LOYALTY, IdentifierKind.EMAIL, IdentifierKind.PHONE, IdentifierKind.EXTERNAL)


@dataclass(kw_only=True)
class Incoming:
    """A record on its way in, naming its customer by ``identifiers`` (strongest first); resolution
    sets ``customer_id`` and adds to ``notes`` what it did."""

    key: str  # what it is, for notes and merge records ("web/W-1001")
    store: Store | None = None
    identifiers: list[Identifier] = field(default_factory=list)  # (kind, namespace, value)
    given_name: str = ""  # for a customer made from it
    family_name: str = ""
    customer_id: int | None = None
    notes: list[str] = field(default_factory=list)


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
    orders: Sequence[Incoming], allowed: set[int] | None, *, actor_kind: str = "system"
) -> list[int]:
    """Set each record's customer; returns the ids of customers created from these records.

    Customers created, and identifiers given to a customer already here, are audited (their kinds,
    never values); what was done is noted on the record. ``allowed``: the stores whose customers the
    writer may give identifiers to (None: every store)."""
    owners = owners_of({key for o in orders for key in o.identifiers})
    # A store-scoped token may attach orders to a customer of another store (the sale happened in
    # its store), but not give her new identifiers: whoever holds them would get her next orders.
    homes = (
        dict(Customer.objects.filter(pk__in=set(owners.values())).values_list("pk", "home_store_id"))
        if allowed is not None
        else {}
    )
    strangers: list[Customer] = []
    merged_here = False
    placeholders: dict[Identifier, Customer] = {}  # identifiers of customers made below
    pending: list[tuple[Incoming, Customer]] = []
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
                merged_here = True
                owner = order.customer_id = unite(
                    order.identifiers,
                    owners,
                    allowed,
                    actor_kind,
                    label=f"Order {order.key}",
                    notes=order.notes,
                )
        elif made:
            owner = made[0]  # a stranger named twice in this request is one new customer
            pending.append((order, owner))
        else:
            owner = Customer(
                given_name=order.given_name,
                family_name=order.family_name,
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
        [
            *(
                Event("customer.identifiers_added", customer_id=pk, detail={"kinds": sorted(kinds)})
                for pk, kinds in added.items()
            ),
            *(Event("customer.created_from_sales", customer_id=customer.pk) for customer in strangers),
        ],
        by=None,
        actor_kind=actor_kind,
    )
    if merged_here:  # a record resolved before a later one merged its profile away goes to the survivor
        survivors = surviving_profiles({o.customer_id for o in orders if o.customer_id})
        for order in orders:
            if order.customer_id in survivors:
                order.customer_id = survivors[order.customer_id]
    return [customer.pk for customer in strangers]


def surviving_profiles(customer_ids: set[int]) -> dict[int, int]:
    """For each of ``customer_ids`` merged into another profile, the profile it ended in (merges can
    chain): one query a link of the longest chain."""
    found: dict[int, int] = {}
    looking = set(customer_ids)
    while looking:
        merged = Customer.objects.filter(pk__in=looking, merged_into__isnull=False)
        step = dict(merged.values_list("pk", "merged_into_id"))
        for start, end in list(found.items()):
            if end in step:
                found[start] = step[end]
        for pk, into in step.items():
            found.setdefault(pk, into)
        looking = set(step.values())
    return found


def unite(
    identifiers: list[Identifier],
    owners: dict[Identifier, int],
    allowed: set[int] | None,
    actor_kind: str,
    *,
    label: str,
    notes: list[str],
) -> int:
    """A record (``label``, say "Order T-1") whose identifiers belong to several customers: the ones
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
                    reason=f"{label} carried identifiers of both profiles.",
                    actor_kind=actor_kind,
                    evidence={"shared": sorted(kinds[other.pk] | kinds[keep.pk]), "source": label},
                )
        for key, pk in owners.items():
            if pk in group:
                owners[key] = keep.pk
        anchor = keep.pk
        notes.append(f"Its identifiers belonged to {len(group)} customers; they were merged into one.")
    queued = [pk for pk in kinds if pk != anchor and not (len(group) > 1 and pk in group)]
    for pk in queued:
        queue_pair(anchor, pk, signals=[f"shared_{kind}" for kind in kinds[pk]], note=label)
    if queued:
        notes.append(
            "Some of its identifiers belong to another customer; attached to the strongest match, "
            "and the two profiles are queued for a manager's review."
        )
    return anchor


RECORD_FIELDS = ("given_name", "family_name", "locale", "country", "home_store")
DECLINED = "declined"  # a record of a customer the writer may not change, left unwritten


def write_customer_record(
    *,
    label: str,
    identifiers: list[Identifier],
    profile: Mapping[str, Any],
    store_ids: set[int] | None,
    actor_kind: str,
    notes: list[str],
) -> tuple[str, Customer]:
    """A customer as another system knows her (``label``, say "Customer record crm/42"), with her id
    in that system first among ``identifiers``: she is the profile they name, else a new one
    (``source=api``, invisible to staff until she consents). ``profile`` holds the fields the record
    gives (of ``RECORD_FIELDS``); they replace hers. When the identifiers name several profiles, the
    policy of orders applies (``unite``); an identifier is never moved from one profile to another.
    A customer of a store outside ``store_ids`` is left as she is (``DECLINED``). Audited with field
    names, never values."""
    owners = owners_of(set(identifiers))
    anchor = next((owners[i] for i in identifiers if i in owners), None)
    customer = Customer.objects.select_related("home_store").get(pk=anchor) if anchor else None
    if customer is not None and store_ids is not None and customer.home_store_id not in store_ids:
        # Another store's customer, whom this writer may not change. It is not told so (that would
        # tell a store's system who shops elsewhere in the chain); the record is declined, with an
        # event for the retailer's operators to see, naming the fields sent, never their values.
        record_event(
            by=None,
            actor_kind=actor_kind,
            action="customer.record_declined",
            customer_id=customer.pk,
            detail={"source": label, "fields": sorted(profile)},
        )
        return DECLINED, customer
    status = UNCHANGED
    changed: list[str] = []
    if (profiles := len(set(owners.values()))) > 1:
        united = unite(identifiers, owners, store_ids, actor_kind, label=label, notes=notes)
        if customer is None or united != customer.pk:  # the merge kept the other profile
            customer = Customer.objects.select_related("home_store").get(pk=united)
        if len(set(owners.values())) < profiles:  # some were merged into her
            changed.append("merged")
    if customer is None:
        customer = Customer.objects.create(
            **{name: profile.get(name, "") for name in RECORD_FIELDS if name != "home_store"},
            home_store=profile.get("home_store"),
            source=Source.API,
        )
        status = CREATED
    else:
        for name, value in profile.items():
            if value != getattr(customer, name):
                setattr(customer, name, value)
                changed.append(name)
        if fields := [name for name in changed if name != "merged"]:
            customer.save(update_fields=[*fields, "updated_at"])
    # Identifiers nobody has are added to her; one that is another profile's stays there (that
    # profile was merged into her just now, or is queued beside her for review).
    new = [i for i in identifiers if i not in owners]
    CustomerIdentifier.objects.bulk_create(
        CustomerIdentifier(customer=customer, kind=kind, namespace=namespace, value=value)
        for kind, namespace, value in new
    )
    changed += [f"identifier.{kind}" for kind, _, _ in new]
    if status == UNCHANGED and changed:
        status = UPDATED
    if status != UNCHANGED:
        record_event(
            by=None,
            actor_kind=actor_kind,
            action="customer.created" if status == CREATED else "customer.updated",
            customer_id=customer.pk,
            store_id=customer.home_store_id,
            detail={"fields": sorted(set(changed)) if status == UPDATED else []},
        )
    return status, customer
