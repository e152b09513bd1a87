"""Merge records and the duplicate queue under her data rights (see ``common.data_rights``)."""

from django.db.models import Q

from common.data_rights import Anonymise, Delete, NotExported, Stay, register
from identity.models import CustomerMerge, DuplicateCandidate


def register_data_rights() -> None:
    register(
        CustomerMerge,
        export=NotExported("how her profiles were joined: ids of the rows that moved, not data about her"),
        erase=Anonymise(
            _blank_reasons,
            "ids of the rows that moved and the kind of evidence, kept; the reasons given, in free text, "
            "are blanked",
        ),
        merge=Stay("the merge record itself"),
    )
    register(
        DuplicateCandidate,
        export=NotExported("a pair of profiles queued for a manager to compare, not data about her"),
        erase=Delete(of=("first_id", "second_id")),
        merge=Stay("the review queue; a decided pair records its merge"),
    )


def _blank_reasons(ids: list[int]) -> int:
    return (
        CustomerMerge.objects.filter(Q(survivor_id__in=ids) | Q(merged_id__in=ids))
        .exclude(reason="", undo_reason="")
        .update(reason="", undo_reason="")
    )
