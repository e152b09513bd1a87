"""Feedback on suggestions: an associate marks one shown, liked or not for her on the card, or she
likes one on a look shared with her; and stored suggestions a category marked sensitive forbids now."""

from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from audit.services import record_event
from consent.models import ConsentState, PurposeCode
from customers.models import Customer
from stores.models import Store
from suggestions.models import Feedback, Suggestion


class NotSuggested(Exception):
    """The product is not among her current suggestions (a stale card, or a forged request)."""


@transaction.atomic
def record_feedback(
    *, by: User, customer: Customer, product_id: int, kind: str, store: Store | None
) -> Feedback:
    """Record it (the next refresh reads it: a dismissal hides the product for
    ``SUGGESTIONS_DISMISS_DAYS``, a like counts towards its brand) and audit it."""
    if kind not in Feedback.Kind.values:
        raise ValueError(f"Unknown feedback {kind!r}.")
    if not _wants_suggestions(customer):
        raise NotSuggested(product_id)  # she has withdrawn: nothing about suggestions is kept
    suggestion = Suggestion.objects.filter(customer=customer, product_id=product_id).order_by("list").first()
    if suggestion is None:
        raise NotSuggested(product_id)
    feedback = Feedback.objects.create(
        customer=customer,
        product_id=product_id,
        kind=kind,
        list=suggestion.list,
        reason=suggestion.reason,
        model_version=suggestion.model_version,
        by=by,
        store=store,
        at=timezone.now(),
    )
    record_event(
        by=by,
        action=f"suggestion.{kind}",
        customer_id=customer.pk,
        store_id=store.pk if store else None,
        detail={"product_id": product_id, "list": suggestion.list, "reason": suggestion.reason},
    )
    return feedback


def record_liked_elsewhere(
    *, customer: Customer, product_id: int, store: Store | None, at: datetime
) -> Feedback | None:
    """She liked a product of hers somewhere else (a look shared with her): liked like a tap on the
    card, when she agrees to suggestions (else nothing is kept). Her own act: no staff, not audited
    here (the caller audits the act itself)."""
    if not _wants_suggestions(customer):
        return None
    suggestion = Suggestion.objects.filter(customer=customer, product_id=product_id).first()
    return Feedback.objects.create(
        customer=customer,
        product_id=product_id,
        kind=Feedback.Kind.LIKED,
        list=suggestion.list if suggestion else "",
        reason=suggestion.reason if suggestion else "",
        model_version=suggestion.model_version if suggestion else "",
        by=None,
        store=store,
        at=at,
    )


def forget_sensitive_suggestions() -> int:
    """Delete the stored suggestions of a sensitive product, or explained by one ("goes with…"):
    a category marked sensitive since the last refresh. The card leaves them out as it reads
    (``selectors.card_suggestions``); this keeps every other reader of the table from seeing them
    until the next refresh. Returns how many were deleted."""
    deleted, _ = Suggestion.objects.filter(
        Q(product__category__is_sensitive=True) | Q(anchor_product__category__is_sensitive=True)
    ).delete()
    return deleted


def _wants_suggestions(customer: Customer) -> bool:
    return ConsentState.objects.filter(
        customer=customer, purpose_id=PurposeCode.SUGGESTIONS, granted=True
    ).exists()
