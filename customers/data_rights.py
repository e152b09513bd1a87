"""Her profile, identifiers and facets under her data rights (see ``common.data_rights``)."""

from collections.abc import Mapping

from django.contrib.postgres.functions import RandomUUID
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from common.data_rights import (
    Anonymise,
    Delete,
    Move,
    NotExported,
    Section,
    Stay,
    Subject,
    iso,
    register,
)
from customers.models import Customer, CustomerIdentifier, ImportantDate, Preference, Size, StoreRelationship

# The profile fields that describe a person, and their erased values.
ERASED_PROFILE = {
    "given_name": "",
    "family_name": "",
    "preferred_name": "",
    "birth_date": None,
    "locale": "",
    "country": "",
    "home_store": None,
}


def register_data_rights() -> None:
    register(
        Customer,
        export=Section("profile", _profile),
        erase=Anonymise(
            _erase_profiles,
            "the pseudonymous id the consent ledger and the audit trail point to: names, birth date, "
            "language, country and home store are blanked, and the public id rotated (old QR codes "
            "and card links lead nowhere)",
        ),
        merge=Stay("the merged profile points at the survivor (merged_into)"),
    )
    register(
        CustomerIdentifier,
        export=Section("identifiers", _identifiers),
        erase=Delete(),
        merge=Move(before=_demote_clashing_primaries, after_undo=_restore_primaries),
    )
    register(
        StoreRelationship,
        export=NotExported(
            "a store's standing of her (activity, spend, tier, who looks after her), derived from the "
            "orders, returns and services in the download"
        ),
        erase=Delete(),
        merge=Move(unique_per_customer=("{t}.store_id",), before=_combine_store_relationships),
    )
    register(
        Preference,
        export=Section("preferences", _preferences),
        erase=Delete(),
        merge=Move(unique_per_customer=("{t}.kind", "{t}.brand_id", "{t}.category_id", "lower({t}.value)")),
    )
    register(
        Size,
        export=Section("sizes", _sizes),
        erase=Delete(),
        merge=Move(unique_per_customer=("{t}.category_id",)),
    )
    register(
        ImportantDate,
        export=Section("important_dates", _important_dates),
        erase=Delete(),
        merge=Move(),
    )


# --- export ----------------------------------------------------------------------------------------


def _profile(subject: Subject) -> dict[str, object]:
    customer = subject.customer
    return {
        "id": str(customer.public_id),
        "given_name": customer.given_name,
        "family_name": customer.family_name,
        "preferred_name": customer.preferred_name,
        "birth_date": iso(customer.birth_date),
        "language": customer.locale,
        "country": customer.country,
        "home_store": customer.home_store.name if customer.home_store else None,
        "created_at": iso(customer.created_at),
    }


def _identifiers(subject: Subject) -> list[dict[str, object]]:
    return [
        {"kind": i.kind, "value": i.value, "primary": i.is_primary, "verified_at": iso(i.verified_at)}
        for i in CustomerIdentifier.objects.filter(customer_id__in=subject.ids)
        .exclude(kind="external")
        .order_by("kind", "-is_primary", "pk")
    ]


def _preferences(subject: Subject) -> list[dict[str, object]]:
    return [
        {
            "kind": p.kind,
            "likes": p.likes,
            "what": p.brand.name if p.brand else p.category.name if p.category else p.value,
        }
        for p in Preference.objects.filter(customer_id__in=subject.ids).select_related("brand", "category")
    ]


def _sizes(subject: Subject) -> list[dict[str, object]]:
    return [
        {"category": s.category.name, "size": s.size, "fit_note": s.fit_note}
        for s in Size.objects.filter(customer_id__in=subject.ids).select_related("category")
    ]


def _important_dates(subject: Subject) -> list[dict[str, object]]:
    return [
        {"kind": d.kind, "label": d.label, "month": d.month, "day": d.day, "year": d.year}
        for d in ImportantDate.objects.filter(customer_id__in=subject.ids).order_by("month", "day")
    ]


# --- erasure ---------------------------------------------------------------------------------------


def _erase_profiles(ids: list[int]) -> int:
    """Blank the profiles and mark them erased; returns how many were erased now (not before)."""
    now = timezone.now()
    newly_erased = Customer.objects.filter(pk__in=ids, erased_at__isnull=True).update(
        erased_at=now, public_id=RandomUUID(), updated_at=now, **ERASED_PROFILE
    )
    # A profile erased before but written to since (nothing should do that) is blanked again.
    Customer.objects.filter(pk__in=ids).exclude(Q(**ERASED_PROFILE)).update(updated_at=now, **ERASED_PROFILE)
    return newly_erased


# --- merge -----------------------------------------------------------------------------------------


def _demote_clashing_primaries(survivor: int, merged: int) -> dict[str, list[int]]:
    """Her primary e-mail (phone, loyalty number) stays primary; the merged profile's becomes a second."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE customers_customeridentifier m SET is_primary = false
             WHERE m.customer_id = %(merged)s AND m.is_primary AND EXISTS (
                   SELECT 1 FROM customers_customeridentifier s
                    WHERE s.customer_id = %(survivor)s AND s.kind = m.kind AND s.is_primary)
            RETURNING m.id
            """,
            {"survivor": survivor, "merged": merged},
        )
        return {"demoted_primary": sorted(row[0] for row in cursor.fetchall())}


def _restore_primaries(moved: Mapping[str, list[int]], survivor: int, merged: int) -> dict[str, int]:
    """Undo: the identifiers demoted by the merge are primary again, unless she has one of that kind."""
    CustomerIdentifier.objects.filter(pk__in=moved.get("demoted_primary", []), customer_id=merged).exclude(
        kind__in=CustomerIdentifier.objects.filter(customer_id=merged, is_primary=True).values("kind")
    ).update(is_primary=True)
    return {}


def _combine_store_relationships(survivor: int, merged: int) -> dict[str, list[int]]:
    """In a store both profiles know: the survivor keeps her owner (else takes the merged one's) and
    the later last contact."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE customers_storerelationship s
               SET assigned_associate_id = coalesce(s.assigned_associate_id, m.assigned_associate_id),
                   last_contacted_at = greatest(s.last_contacted_at, m.last_contacted_at)
              FROM customers_storerelationship m
             WHERE s.customer_id = %(survivor)s AND m.customer_id = %(merged)s AND m.store_id = s.store_id
            """,
            {"survivor": survivor, "merged": merged},
        )
    return {}
