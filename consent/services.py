import hashlib
import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from uuid import UUID

from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from audit.services import record_event
from consent.models import ConsentEvent, Method, PolicyVersion, Purpose, Verification
from consent.purposes import PURPOSES
from consent.selectors import current_purposes
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
    # A profile merged into another speaks for the person: the survivor's state is what changed.
    (person,) = refresh_consent_states(customer_ids=[customer.pk])
    consent_recorded.send(sender=ConsentEvent, customer_id=person, purposes=list(purposes), granted=granted)
    return created


def refresh_consent_states(*, customer_ids: Iterable[int] | None = None) -> list[int]:
    """Re-derive ``ConsentState`` from the ledger: the latest event per person and purpose wins.

    A person is a surviving profile together with every profile merged into her (``identity``): the
    ledger is never rewritten by a merge, so her state reads all of their events, and a state that no
    event backs any more (after a merge is undone) is deleted. Merged-away profiles have no state.
    Given ids are followed to their surviving profiles first, and those are returned (nothing for a
    full rebuild). Set-based, so it serves one customer after an opt-in and a million after a bulk
    import alike.
    """
    ids = list(customer_ids) if customer_ids is not None else None
    if ids is None:
        roots = "SELECT id FROM customers_customer WHERE merged_into_id IS NULL"
    else:
        roots = "SELECT id FROM up WHERE merged_into_id IS NULL"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH RECURSIVE up(id, merged_into_id) AS (
                SELECT id, merged_into_id FROM customers_customer WHERE id = ANY(%(ids)s)
                UNION
                SELECT c.id, c.merged_into_id FROM up JOIN customers_customer c ON c.id = up.merged_into_id
            ), family(member, root) AS (
                SELECT id, id FROM ({roots}) AS roots
                UNION
                SELECT c.id, f.root FROM family f JOIN customers_customer c ON c.merged_into_id = f.member
            ), latest AS (
                SELECT DISTINCT ON (f.root, e.purpose_id)
                       f.root AS customer_id, e.purpose_id, e.granted, e.occurred_at, e.id
                  FROM consent_consentevent e JOIN family f ON f.member = e.customer_id
                 ORDER BY f.root, e.purpose_id, e.occurred_at DESC, e.id DESC
            ), upserted AS (
                INSERT INTO consent_consentstate AS s (customer_id, purpose_id, granted, since, event_id)
                SELECT customer_id, purpose_id, granted, occurred_at, id FROM latest
                ON CONFLICT (customer_id, purpose_id) DO UPDATE
                SET granted = EXCLUDED.granted, since = EXCLUDED.since, event_id = EXCLUDED.event_id
                WHERE s.event_id IS DISTINCT FROM EXCLUDED.event_id
                RETURNING 1
            ), stale AS (
                DELETE FROM consent_consentstate s
                 WHERE (%(all)s OR s.customer_id IN (SELECT member FROM family))
                   AND NOT EXISTS (SELECT 1 FROM latest l
                                    WHERE l.customer_id = s.customer_id AND l.purpose_id = s.purpose_id)
                RETURNING 1
            )
            SELECT id FROM up WHERE merged_into_id IS NULL
            """,  # noqa: S608 - fixed SQL, values are parameters
            {"ids": ids or [], "all": ids is None},
        )
        return [row[0] for row in cursor.fetchall()]


@transaction.atomic
def apply_choices(*, customer: Customer, wanted: Iterable[str]) -> bool:
    """Her choices as she ticks them in her privacy centre: new ticks granted, cleared ones withdrawn,
    under one receipt, at once everywhere, and audited as hers. Returns whether anything changed."""
    from consent.policy import current_policy  # it publishes through this module

    Customer.objects.select_for_update().filter(pk=customer.pk).first()  # one change at a time
    wanted = set(wanted)
    granted = current_purposes(customer)
    receipt = None
    for purposes, grant in ((sorted(wanted - granted), True), (sorted(granted - wanted), False)):
        if purposes:
            receipt = record_consent(
                customer=customer,
                purposes=purposes,
                granted=grant,
                policy_version=current_policy(),
                method=Method.PRIVACY_CENTRE,
                verification=Verification.MAGIC_LINK,
                receipt_id=receipt,
            )[0].receipt_id
    if wanted == granted:
        return False
    record_event(
        by=None,
        actor_kind="customer",
        action="consent.changed",
        customer_id=customer.pk,
        detail={"granted": sorted(wanted - granted), "withdrawn": sorted(granted - wanted)},
    )
    return True
