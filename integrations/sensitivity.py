"""Marking categories sensitive from outside the app (a command, a products file): the catalogue's
flag, and the stored suggestions it now forbids, in one transaction.

The catalogue sits below suggestions and cannot reach them, so the two meet here. The card would leave
those suggestions out anyway (``suggestions.selectors.card_suggestions`` reads the flag as it
reads them); deleting them keeps every other reader of the table from seeing them until the next
refresh.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction

from catalog.services import Flagged, flag_sensitive_categories
from suggestions.services import forget_sensitive_suggestions


@dataclass(frozen=True)
class Sensitivity:
    categories: Flagged
    suggestions_deleted: int


@transaction.atomic
def mark_categories(
    *, codes: Sequence[str], sensitive: bool = True, label: str | None = None, actor_kind: str
) -> Sensitivity:
    """Flag (or unflag) the categories of ``codes``; when some became sensitive, delete the stored
    suggestions of their products."""
    flagged = flag_sensitive_categories(
        codes=codes, sensitive=sensitive, label=label, by=None, actor_kind=actor_kind
    )
    deleted = forget_sensitive_suggestions() if sensitive and flagged.changed else 0
    return Sensitivity(flagged, deleted)
