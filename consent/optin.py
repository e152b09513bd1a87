"""A customer opting in: who she is (proved by a one-time code), what she agrees to, her receipt.

Her choices on the opt-in page are her whole answer: each purpose ticked is granted, and a purpose she
had granted before but left unticked now is withdrawn, all under one receipt.
"""

from dataclasses import dataclass
from uuid import UUID

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.services import record_event
from common import outbox
from consent.models import Method, Verification
from consent.policy import current_policy
from consent.selectors import current_purposes
from consent.services import record_consent
from customers.models import Customer, CustomerIdentifier, Source
from customers.services.profiles import NewCustomer, NewIdentifier, create_customer, survivor
from stores.models import CollectionPoint, Store


@dataclass(frozen=True)
class OptIn:
    """What she chose on the opt-in page, with the address she proved she holds."""

    purposes: tuple[str, ...]
    identifier_kind: str  # "email" or "phone", already normalised
    identifier: str
    given_name: str = ""
    family_name: str = ""
    language: str = "en"


@dataclass(frozen=True)
class OptInResult:
    customer: Customer
    receipt_id: UUID
    linked_existing: bool


@transaction.atomic
def complete_opt_in(
    *,
    choice: OptIn,
    store: Store,
    collection_point: CollectionPoint | None,
    method: str = Method.QR_IN_STORE,
    assisted_by: User | None = None,
) -> OptInResult:
    """Link her to the profile that holds her address (her history from sales data) or create one,
    mark the address verified, record her choices in the ledger under one receipt, and send her the
    receipt once this commits."""
    verification = Verification.EMAIL_CODE if choice.identifier_kind == "email" else Verification.SMS_CODE
    identifier = (
        CustomerIdentifier.objects.select_for_update()
        .select_related("customer")
        .filter(kind=choice.identifier_kind, namespace="", value=choice.identifier)
        .first()
    )
    linked_existing = identifier is not None and identifier.customer.erased_at is None
    if identifier is not None and linked_existing:
        customer = survivor(identifier.customer)
        fill = {}
        if not customer.given_name and not customer.family_name:
            fill = {"given_name": choice.given_name.strip(), "family_name": choice.family_name.strip()}
        if not customer.locale:
            fill["locale"] = choice.language
        fill = {name: value for name, value in fill.items() if value}
        if fill:
            for name, value in fill.items():
                setattr(customer, name, value)
            customer.save(update_fields=[*fill, "updated_at"])
        if customer.home_store_id is None:
            customer.home_store = store
            customer.save(update_fields=["home_store", "updated_at"])
    else:
        customer = create_customer(
            by=None,
            data=NewCustomer(
                given_name=choice.given_name,
                family_name=choice.family_name,
                locale=choice.language,
                country=store.country,
                identifiers=(NewIdentifier(kind=choice.identifier_kind, value=choice.identifier),),
            ),
            home_store=store,
            source=Source.OPT_IN,
        )
    CustomerIdentifier.objects.filter(
        customer=customer, kind=choice.identifier_kind, value=choice.identifier, verified_at__isnull=True
    ).update(verified_at=timezone.now())

    policy = current_policy(choice.language)

    def record(purposes: list[str], *, granted: bool, receipt_id: UUID | None = None) -> UUID:
        events = record_consent(
            customer=customer,
            purposes=purposes,
            granted=granted,
            policy_version=policy,
            method=method,
            verification=verification,
            by=assisted_by,
            store=store,
            collection_point=collection_point,
            receipt_id=receipt_id,
        )
        return events[0].receipt_id

    receipt_id = record(list(choice.purposes), granted=True)
    withdrawn = sorted(current_purposes(customer) - set(choice.purposes))
    if withdrawn:
        record(withdrawn, granted=False, receipt_id=receipt_id)
    record_event(
        by=assisted_by,
        actor_kind="customer",
        action="consent.opted_in",
        customer_id=customer.pk,
        store_id=store.pk,
        detail={
            "purposes": list(choice.purposes),
            "withdrawn": withdrawn,
            "method": method,
            "receipt": str(receipt_id),
            "collection_point": collection_point.pk if collection_point else None,
        },
    )
    # Her receipt (what she agreed to, with her membership code), once all of this is recorded.
    outbox.enqueue(
        "consent.send_receipt",
        kwargs={
            "customer_id": customer.pk,
            "receipt_id": str(receipt_id),
            "kind": choice.identifier_kind,
            "language": choice.language,
        },
        key=f"receipt:{receipt_id}",
    )
    return OptInResult(customer=customer, receipt_id=receipt_id, linked_existing=linked_existing)
