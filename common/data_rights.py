"""One registry for a customer's data rights.

Every model that holds a customer's data is registered here by the app that owns it
(``<app>/data_rights.py``, from its ``AppConfig.ready``), saying three things:

- **export**: what her download (and her privacy centre) shows of it: a ``Section`` of its own, part
  of another model's section (``InSection``), or nothing, and why (``NotExported``);
- **erase**: what erasing her does to its rows: ``Delete``, ``Detach`` (kept for the accounts, without
  her), ``Anonymise`` (kept, with what could identify her taken out), or ``Keep``, and why;
- **merge**: what merging two profiles of one person does with the merged profile's rows: ``Move``
  them to the survivor, ``Drop`` them (derived, rebuilt), ``Follows`` its parent row, or ``Stay``, and
  why.

The download (``privacy.export``), erasure (``privacy.erasure``) and merging (``identity.merging``)
iterate the registry and know no table by name, so a new model cannot be forgotten by one of them: a
test fails when a model holding a customer id is not registered. Apps register in the order of
``INSTALLED_APPS`` (from the bottom floor up), so an app's merge hooks run after those of the apps it
stands on, and its rules come after theirs where the order matters.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model


@dataclass(frozen=True)
class Subject:
    """Whose data: the customer (``customers.Customer``), she and every profile merged into her
    (``ids``), and, for a page rather than the download, how many of the newest rows of long lists to
    show (``recent``)."""

    customer: Any
    ids: list[int]
    recent: int | None = None


# --- export ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    """Her rows as the download's section ``name``: ``rows(subject)`` is JSON-ready. A page that shows
    only the newest rows also gets ``total(subject)``, the count of them all, as ``total_as``."""

    name: str
    rows: Callable[[Subject], Any]
    total: Callable[[Subject], int] | None = None
    total_as: str = ""


@dataclass(frozen=True)
class InSection:
    """Exported inside another model's section (an order's lines, in ``orders``)."""

    name: str


@dataclass(frozen=True)
class NotExported:
    why: str


# --- erasure ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Delete:
    """Her rows are deleted. ``of``: lookups from a row to her id (a row matching any of them is hers).
    Rows that point at other rows being deleted go first, so each table counts its own. ``files``:
    file fields whose files are deleted once the erasure commits."""

    of: tuple[str, ...] = ("customer_id",)
    files: tuple[str, ...] = ()


@dataclass(frozen=True)
class Detach:
    """Kept for the accounts, without her: the customer set to NULL and ``blank`` fields emptied."""

    blank: Mapping[str, Any] = field(default_factory=dict)
    of: tuple[str, ...] = ("customer_id",)


@dataclass(frozen=True)
class Anonymise:
    """Kept, with what could identify her taken out by ``apply(ids)``, which returns the rows changed."""

    apply: Callable[[list[int]], int]
    why: str


@dataclass(frozen=True)
class Keep:
    why: str


# --- merge -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Move:
    """The merged profile's rows move to the survivor; their ids are recorded, so an undo moves exactly
    those back. ``unique_per_customer``: SQL expressions (``{t}`` is the table's alias) of which a
    customer holds one row; a merged row clashing with one of the survivor's stays where it is.
    ``before(survivor_id, merged_id)`` runs first and returns more ids to record with the merge;
    ``after_undo(moved, survivor_id, merged_id)`` runs once every row has moved back and returns counts.
    """

    unique_per_customer: tuple[str, ...] = ()
    before: Callable[[int, int], dict[str, list[int]]] | None = None
    after_undo: Callable[[Mapping[str, list[int]], int, int], dict[str, int]] | None = None


@dataclass(frozen=True)
class Drop:
    """Derived from other rows: the merged profile's are deleted, and rebuilt for the person."""

    why: str


@dataclass(frozen=True)
class Follows:
    """Goes where its parent row goes (an order's lines go with the order)."""

    parent: type[Model]


@dataclass(frozen=True)
class Stay:
    why: str


Export = Section | InSection | NotExported
Erase = Delete | Detach | Anonymise | Keep
Merge = Move | Drop | Follows | Stay


@dataclass(frozen=True)
class Holding:
    """One model that holds a customer's data, and what each data right does with its rows."""

    model: type[Model]
    export: Export
    erase: Erase
    merge: Merge


_holdings: dict[type[Model], Holding] = {}
_merge_hooks: list[Callable[[list[int]], None]] = []


def register(model: type[Model], *, export: Export, erase: Erase, merge: Merge) -> None:
    """Say what export, erasure and merging do with ``model``'s rows. Saying it again the same way
    (an ``AppConfig.ready`` run twice) changes nothing; saying something else is refused."""
    holding = Holding(model, export, erase, merge)
    if _holdings.get(model, holding) != holding:
        raise ImproperlyConfigured(f"{model._meta.label} is registered for data rights twice, differently.")
    _holdings[model] = holding


def register_merge_hook(hook: Callable[[list[int]], None]) -> None:
    """``hook(customer_ids)`` re-derives what is computed from rows a merge (or its undo) moved
    (once per hook, however often it is registered)."""
    if hook not in _merge_hooks:
        _merge_hooks.append(hook)


def holdings() -> list[Holding]:
    """Every registered model, in the order the apps registered them."""
    return list(_holdings.values())


def merge_hooks() -> list[Callable[[list[int]], None]]:
    return list(_merge_hooks)


def iso(value: date | datetime | None) -> str | None:
    """A date or moment as the download writes it (ISO 8601), or None."""
    return value.isoformat() if value is not None else None


def money(value: Decimal) -> str:
    """An amount as the download writes it: two decimals, as text (no float rounding)."""
    return f"{value:.2f}"
