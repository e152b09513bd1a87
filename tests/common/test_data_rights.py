"""The data-rights registry covers every table that holds a customer's data, for all three rights:
her download, her erasure, and the merging of two of her profiles."""

from django.apps import apps
from django.db import models

from common.data_rights import (
    Anonymise,
    Delete,
    Detach,
    Drop,
    Follows,
    InSection,
    Keep,
    Move,
    NotExported,
    Section,
    Stay,
    holdings,
)
from customers.models import Customer


def holds_a_customer(model: type[models.Model]) -> bool:
    """A foreign key to a customer, or a column that holds a customer's id without one."""
    for field in model._meta.get_fields():
        if not field.concrete:
            continue
        if isinstance(field, models.ForeignKey) and field.related_model is Customer:
            return True
        if not field.is_relation and field.name.endswith("customer_id"):
            return True
    return False


def holding_models() -> set[type[models.Model]]:
    """Models holding a customer, and models whose rows are part of theirs (a foreign key that deletes
    with its parent: an order's lines), however deep."""
    found = {model for model in apps.get_models(include_auto_created=True) if holds_a_customer(model)}
    while True:
        parts = {
            model
            for model in apps.get_models(include_auto_created=True)
            for field in model._meta.get_fields()
            if isinstance(field, models.ForeignKey)
            and field.related_model in found
            and field.remote_field.on_delete is models.CASCADE
        }
        if parts <= found:
            return found
        found |= parts


def test_every_model_holding_a_customers_data_is_registered_and_nothing_else() -> None:
    registered = {holding.model for holding in holdings()}

    missing = {m._meta.label for m in holding_models() - registered}
    stale = {m._meta.label for m in registered - holding_models()}

    assert not missing, f"register these in their app's data_rights.py: {sorted(missing)}"
    assert not stale, f"registered, but they hold no customer: {sorted(stale)}"


def test_each_model_says_what_export_erasure_and_merge_do_and_why_when_they_do_nothing() -> None:
    for holding in holdings():
        label = holding.model._meta.label
        assert isinstance(holding.export, Section | InSection | NotExported), label
        assert isinstance(holding.erase, Delete | Detach | Anonymise | Keep), label
        assert isinstance(holding.merge, Move | Drop | Follows | Stay), label
        for rule in (holding.export, holding.erase, holding.merge):
            if isinstance(rule, NotExported | Keep | Anonymise | Drop | Stay):
                assert len(rule.why.split()) >= 3, f"{label}: say why, for the next reader ({rule})"


def test_sections_are_unique_and_parts_name_a_section_and_follow_a_row_that_moves() -> None:
    sections = [h.export.name for h in holdings() if isinstance(h.export, Section)]
    movers = {h.model for h in holdings() if isinstance(h.merge, Move)}

    assert len(sections) == len(set(sections))
    for holding in holdings():
        if isinstance(holding.export, InSection):
            assert holding.export.name in sections, holding.model._meta.label
        if isinstance(holding.merge, Follows):
            assert holding.merge.parent in movers, holding.model._meta.label
