"""What an associate learns about a customer: sizes, likes and dislikes, dates worth remembering."""

import calendar

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import User
from audit.services import record_event
from catalog.models import Brand, Category
from customers.models import Customer, ImportantDate, Preference, PreferenceKind, Size


@transaction.atomic
def set_size(*, by: User, customer: Customer, category: Category, size: str, fit_note: str = "") -> Size:
    """Record (or replace) her size in a category."""
    size = size.strip()
    if not size:
        raise ValidationError({"size": "Enter a size."})
    if category.is_sensitive:
        raise ValidationError({"category": "Sizes are not kept for this category."})
    record, created = Size.objects.update_or_create(
        customer=customer,
        category=category,
        defaults={"size": size, "fit_note": fit_note.strip(), "updated_by": by},
    )
    record_event(
        by=by,
        action="customer.size_set",
        customer_id=customer.pk,
        detail={"category_id": category.pk, "created": created},
    )
    return record


@transaction.atomic
def remove_size(*, by: User, size: Size) -> None:
    record_event(
        by=by,
        action="customer.size_removed",
        customer_id=size.customer_id,
        detail={"category_id": size.category_id},
    )
    size.delete()


@transaction.atomic
def set_preference(
    *,
    by: User,
    customer: Customer,
    kind: str,
    likes: bool,
    brand: Brand | None = None,
    category: Category | None = None,
    value: str = "",
) -> Preference:
    """Record that she loves (or never wants) a brand, category, colour or style.

    Saying the opposite of an earlier preference replaces it: she can't both love and hate navy.
    """
    value = value.strip()
    if kind == PreferenceKind.BRAND and brand is None:
        raise ValidationError({"brand": "Choose a brand."})
    if kind == PreferenceKind.CATEGORY and category is None:
        raise ValidationError({"category": "Choose a category."})
    if kind in (PreferenceKind.COLOUR, PreferenceKind.STYLE) and not value:
        raise ValidationError({"value": f"Enter a {kind}."})
    if category is not None and category.is_sensitive:
        raise ValidationError({"category": "Preferences are not kept for this category."})
    brand = brand if kind == PreferenceKind.BRAND else None
    category = category if kind == PreferenceKind.CATEGORY else None
    value = value if kind in (PreferenceKind.COLOUR, PreferenceKind.STYLE) else ""
    existing = Preference.objects.filter(
        customer=customer, kind=kind, brand=brand, category=category, value__iexact=value
    ).first()
    if existing is not None:
        existing.likes = likes
        existing.save(update_fields=["likes", "updated_at"])
        preference = existing
    else:
        preference = Preference.objects.create(
            customer=customer,
            kind=kind,
            likes=likes,
            brand=brand,
            category=category,
            value=value,
            created_by=by,
        )
    record_event(
        by=by,
        action="customer.preference_set",
        customer_id=customer.pk,
        detail={"kind": kind, "likes": likes, "preference_id": preference.pk},
    )
    return preference


@transaction.atomic
def remove_preference(*, by: User, preference: Preference) -> None:
    record_event(
        by=by,
        action="customer.preference_removed",
        customer_id=preference.customer_id,
        detail={"kind": preference.kind, "preference_id": preference.pk},
    )
    preference.delete()


@transaction.atomic
def add_important_date(
    *, by: User, customer: Customer, kind: str, month: int, day: int, year: int | None = None, label: str = ""
) -> ImportantDate:
    """Remember an anniversary or another date; the day must exist (29 February is fine)."""
    if not 1 <= month <= 12:
        raise ValidationError({"month": "Choose a month."})
    longest = calendar.monthrange(year or 2024, month)[1]  # 2024: a leap year, so 29 Feb is allowed
    if not 1 <= day <= longest:
        raise ValidationError({"day": f"{calendar.month_name[month]} has {longest} days."})
    important = ImportantDate.objects.create(
        customer=customer, kind=kind, month=month, day=day, year=year, label=label.strip(), created_by=by
    )
    record_event(
        by=by,
        action="customer.date_added",
        customer_id=customer.pk,
        detail={"kind": kind, "date_id": important.pk},
    )
    return important


@transaction.atomic
def remove_important_date(*, by: User, important_date: ImportantDate) -> None:
    record_event(
        by=by,
        action="customer.date_removed",
        customer_id=important_date.customer_id,
        detail={"date_id": important_date.pk},
    )
    important_date.delete()
