"""Creating customers and changing their profile and identifiers, each write audited."""

from dataclasses import dataclass, field
from datetime import date

from django.db import IntegrityError, transaction

from accounts.models import User
from audit.services import record_event
from customers.identifiers import IdentifierKind, normalise
from customers.models import Customer, CustomerIdentifier, Source, StoreRelationship
from stores.models import Store


def survivor(customer: Customer) -> Customer:
    """Follow a merged profile to the one that stands for the person today."""
    seen = set()
    while customer.merged_into_id is not None and customer.pk not in seen:
        seen.add(customer.pk)
        customer = Customer.objects.get(pk=customer.merged_into_id)
    return customer


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


def profiles_of(customer_id: int) -> list[int]:
    """Her id, then every profile merged into her, directly or through another merged profile."""
    ids = [customer_id]
    frontier = [customer_id]
    while frontier:
        frontier = list(
            Customer.objects.filter(merged_into_id__in=frontier)
            .exclude(pk__in=ids)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        ids.extend(frontier)
    return ids


class IdentifierInUse(ValueError):
    """Another customer already holds this identifier (the message does not say who)."""

    def __init__(self, kind: str) -> None:
        super().__init__(
            f"This {CustomerIdentifier.Kind(kind).label.lower()} already belongs to another customer."
        )
        self.kind = kind


@dataclass(frozen=True)
class NewIdentifier:
    kind: str
    value: str
    namespace: str = ""
    verified: bool = False


@dataclass(frozen=True)
class NewCustomer:
    given_name: str = ""
    family_name: str = ""
    preferred_name: str = ""
    birth_date: date | None = None
    locale: str = ""
    country: str = ""
    identifiers: tuple[NewIdentifier, ...] = field(default_factory=tuple)


def _default_region(customer: Customer) -> str | None:
    if customer.home_store_id is not None and customer.home_store is not None:
        return customer.home_store.country
    return customer.country or None


def _insert_identifier(*, customer: Customer, new: NewIdentifier, is_primary: bool) -> CustomerIdentifier:
    value = normalise(new.kind, new.value, default_region=_default_region(customer))
    namespace = new.namespace.strip().lower() if new.kind == IdentifierKind.EXTERNAL else ""
    existing = CustomerIdentifier.objects.filter(kind=new.kind, namespace=namespace, value=value).first()
    if existing is not None:
        if existing.customer_id == customer.pk:
            return existing
        raise IdentifierInUse(new.kind)
    try:
        with transaction.atomic():
            return CustomerIdentifier.objects.create(
                customer=customer,
                kind=new.kind,
                namespace=namespace,
                value=value,
                is_primary=is_primary,
                verified_at=None,
            )
    except IntegrityError:
        # Lost a race with a concurrent writer of the same value.
        raise IdentifierInUse(new.kind) from None


@transaction.atomic
def create_customer(
    *,
    by: User | None,
    data: NewCustomer,
    home_store: Store | None = None,
    source: str = Source.STAFF,
) -> Customer:
    """Create a profile with its identifiers (normalised; refused if another customer holds one)."""
    customer = Customer.objects.create(
        given_name=data.given_name.strip(),
        family_name=data.family_name.strip(),
        preferred_name=data.preferred_name.strip(),
        birth_date=data.birth_date,
        locale=data.locale,
        country=data.country.upper(),
        home_store=home_store,
        source=source,
    )
    seen_kinds: set[str] = set()
    for new in data.identifiers:
        _insert_identifier(customer=customer, new=new, is_primary=new.kind not in seen_kinds)
        seen_kinds.add(new.kind)
    if home_store is not None:
        StoreRelationship.objects.get_or_create(customer=customer, store=home_store)
    record_event(
        by=by,
        action="customer.created",
        customer_id=customer.pk,
        store_id=home_store.pk if home_store else None,
        detail={"source": source, "identifier_kinds": sorted(seen_kinds)},
    )
    return customer


@transaction.atomic
def add_identifier(*, by: User | None, customer: Customer, new: NewIdentifier) -> CustomerIdentifier:
    """Attach one more identifier; the first of its kind becomes the primary one."""
    has_primary = customer.identifiers.filter(kind=new.kind, is_primary=True).exists()
    identifier = _insert_identifier(customer=customer, new=new, is_primary=not has_primary)
    record_event(
        by=by,
        action="customer.identifier_added",
        customer_id=customer.pk,
        detail={"kind": new.kind},
    )
    return identifier


PROFILE_FIELDS = ("given_name", "family_name", "preferred_name", "birth_date", "locale", "country")


@transaction.atomic
def update_profile(
    *, by: User | None, customer: Customer, actor_kind: str | None = None, **changes: object
) -> Customer:
    """Change profile fields; the audit event lists which fields changed, never their values."""
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"Not profile fields: {', '.join(sorted(unknown))}")
    changed = [name for name, value in changes.items() if getattr(customer, name) != value]
    if not changed:
        return customer
    for name in changed:
        setattr(customer, name, changes[name])
    customer.save(update_fields=[*changed, "updated_at"])
    record_event(
        by=by,
        actor_kind=actor_kind,
        action="customer.profile_updated",
        customer_id=customer.pk,
        detail={"fields": changed},
    )
    return customer
