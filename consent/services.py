import hashlib
import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from uuid import UUID

from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from consent.models import ConsentEvent, ConsentState, PolicyVersion, Purpose
from consent.purposes import PURPOSES
from consent.signals import consent_recorded
from customers.models import Customer
from stores.models import CollectionPoint, Store


def ensure_purposes() -> None:
    """Create any shipped purpose that is missing (idempotent; never changes an existing one)."""
    for purpose in PURPOSES:
        Purpose.objects.get_or_create(
            code=purpose.code,
            defaults={"name": purpose.name, "description": purpose.description, "position": purpose.position},
        )


def hash_policy_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def publish_policy_version(
    *, version: str, text: str, language: str = "en", published_at: datetime | None = None
) -> PolicyVersion:
    """Publish a privacy text; its hash is fixed at publication and never changes."""
    return PolicyVersion.objects.create(
        version=version,
        language=language,
        text=text,
        text_hash=hash_policy_text(text),
        published_at=published_at or timezone.now(),
    )


@transaction.atomic
def record_consent(
    *,
    customer: Customer,
    purposes: Sequence[str],
    granted: bool,
    policy_version: PolicyVersion,
    method: str,
    verification: str,
    by: User | None = None,
    store: Store | None = None,
    collection_point: CollectionPoint | None = None,
    occurred_at: datetime | None = None,
    receipt_id: UUID | None = None,
) -> list[ConsentEvent]:
    """Append one ledger event per purpose (one receipt) and bring the current state up to date.

    ``receipt_id`` joins these events to an earlier call's (grants and withdrawals of one answer).
    """
    if collection_point is not None and store is None:
        store = collection_point.store
    when = occurred_at or timezone.now()
    receipt = receipt_id or uuid.uuid4()
    first = ConsentEvent(
        customer=customer,
        purpose_id=purposes[0],
        granted=granted,
        policy_version=policy_version,
        store=store,
        collection_point=collection_point,
        method=method,
        verification=verification,
        occurred_at=when,
        recorded_by=by,
        receipt_id=receipt,
    )
    events = [first] + [
        ConsentEvent(
            customer=customer,
            purpose_id=purpose,
            granted=granted,
            policy_version=policy_version,
            store=store,
            collection_point=collection_point,
            method=method,
            verification=verification,
            occurred_at=when,
            recorded_by=by,
            receipt_id=first.receipt_id,
        )
        for purpose in purposes[1:]
    ]
    created = ConsentEvent.objects.bulk_create(events)
    refresh_consent_states(customer_ids=[customer.pk])
    consent_recorded.send(
        sender=ConsentEvent, customer_id=customer.pk, purposes=list(purposes), granted=granted
    )
    return created


def refresh_consent_states(*, customer_ids: Iterable[int] | None = None) -> None:
    """Re-derive ``ConsentState`` from the ledger: the latest event per customer and purpose wins.

    Set-based, so it serves one customer after an opt-in and a million after a bulk import alike.
    """
    state = ConsentState._meta.db_table
    ledger = ConsentEvent._meta.db_table
    ids = list(customer_ids) if customer_ids is not None else None
    where = "WHERE customer_id = ANY(%s)" if ids is not None else ""
    params = [ids] if ids is not None else []
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {state} (customer_id, purpose_id, granted, since, event_id)
            SELECT DISTINCT ON (customer_id, purpose_id) customer_id, purpose_id, granted, occurred_at, id
            FROM {ledger} {where}
            ORDER BY customer_id, purpose_id, occurred_at DESC, id DESC
            ON CONFLICT (customer_id, purpose_id) DO UPDATE
            SET granted = EXCLUDED.granted, since = EXCLUDED.since, event_id = EXCLUDED.event_id
            WHERE {state}.event_id IS DISTINCT FROM EXCLUDED.event_id
            """,  # noqa: S608 - table names come from model metadata, values are parameters
            params,
        )
