"""Suggestions under her data rights (see ``common.data_rights``): derived, so a merge drops the merged
profile's and the next refresh rebuilds them; what she (or an associate for her) said of one is hers."""

from typing import Any

from common.data_rights import (
    Delete,
    Drop,
    Keep,
    Move,
    NotExported,
    Section,
    Stay,
    Subject,
    iso,
    register,
    register_merge_hook,
)
from consent.models import ConsentState, PurposeCode
from suggestions.models import Feedback, Suggestion, SuggestionBatch

BATCH = "a batch of the nightly refresh: a range of customer ids it covered, no one's data"


def register_data_rights() -> None:
    register(
        Suggestion,
        export=Section("suggestions", _suggestions),
        erase=Delete(),
        merge=Drop("derived: the merged profile's go, and the next refresh suggests for the person"),
    )
    register(
        Feedback,
        export=Section("suggestion_feedback", _feedback),
        erase=Delete(),
        merge=Move(),
    )
    register(SuggestionBatch, export=NotExported(BATCH), erase=Keep(BATCH), merge=Stay(BATCH))
    register_merge_hook(_forget_without_consent)


def _suggestions(subject: Subject) -> list[dict[str, Any]]:
    return [
        {
            "list": s.list,
            "rank": s.rank,
            "product": s.product.name,
            "reason": s.reason,
            "computed_at": iso(s.created_at),
            "model_version": s.model_version,
        }
        for s in Suggestion.objects.filter(customer_id__in=subject.ids)
        .select_related("product")
        .order_by("list", "rank")
    ]


def _feedback(subject: Subject) -> list[dict[str, Any]]:
    """What was said of a suggestion: shown to her, liked, not for her (never who said it)."""
    return [
        {
            "product": f.product.name,
            "what": f.kind,
            "at": iso(f.at),
            "store": f.store.name if f.store else None,
        }
        for f in Feedback.objects.filter(customer_id__in=subject.ids)
        .select_related("product", "store")
        .order_by("-at", "-pk")
    ]


def _forget_without_consent(customer_ids: list[int]) -> None:
    """No suggestions where the (re-derived) consent no longer allows them."""
    Suggestion.objects.filter(customer_id__in=customer_ids).exclude(
        customer_id__in=ConsentState.objects.filter(
            customer_id__in=customer_ids, purpose_id=PurposeCode.SUGGESTIONS, granted=True
        ).values("customer_id")
    ).delete()
