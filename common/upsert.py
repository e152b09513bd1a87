"""Writing by natural key, idempotently: create the row, bring it up to date, or leave it as it is,
and say which; and a refusal that names, per field, why a row cannot be written as asked."""

from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, models, transaction

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"


class Refused(Exception):
    """The row cannot be written as asked (a missing parent, another store's row): ``errors`` say why,
    per field, in words for whoever sent it."""

    def __init__(self, errors: Mapping[str, Any]) -> None:
        super().__init__(errors)
        self.errors = {
            field: [str(m) for m in (ms if isinstance(ms, list) else [ms])] for field, ms in errors.items()
        }


def upsert(
    model: type[models.Model], lookup: Mapping[str, Any], values: Mapping[str, Any]
) -> tuple[str, Any]:
    """Create the row ``lookup`` names with ``values``, or bring it up to date; says which it did."""
    instance = model._default_manager.select_for_update().filter(**lookup).first()
    if instance is None:
        try:
            with transaction.atomic():
                return CREATED, model._default_manager.create(**lookup, **values)
        except IntegrityError:  # created meanwhile by a concurrent request with the same key
            instance = model._default_manager.select_for_update().filter(**lookup).first()
            if instance is None:
                raise
    changed = [field for field, value in values.items() if getattr(instance, field) != value]
    if not changed:
        return UNCHANGED, instance
    for field in changed:
        setattr(instance, field, values[field])
    instance.save(update_fields=[*changed, *_auto_now_fields(model)])
    return UPDATED, instance


def _auto_now_fields(model: type[models.Model]) -> list[str]:
    return [f.name for f in model._meta.concrete_fields if getattr(f, "auto_now", False)]
