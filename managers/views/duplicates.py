"""Managers' pages: the duplicate review queue (evidence side by side, merge or tell apart) and the
merges made in their stores, each of which can be undone with a reason."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from accounts.models import User
from accounts.permissions import manager_or_403
from audit.services import record_event
from consent.selectors import customers_visible_to
from identity import selectors
from identity.merging import MergeRefused, merge_customers, undo_merge
from identity.models import CustomerMerge, DuplicateCandidate

REASON_MAX = 300


def _manager(request: HttpRequest) -> User:
    return manager_or_403(request, "Only store managers review duplicates and merges.")


@require_GET
@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    user = _manager(request)
    return render(
        request,
        "managers/duplicates.html",
        {"pairs": selectors.open_pairs(user), "merges": selectors.recent_merges(user)},
    )


@require_POST
@login_required
def decide(request: HttpRequest, candidate_id: int) -> HttpResponse:
    """Merge the pair into the profile she chose to keep, or record that they are two people."""
    user = _manager(request)
    try:
        candidate = selectors.pair_for(user, candidate_id)
    except DuplicateCandidate.DoesNotExist:
        raise Http404("No such pair in your stores.") from None
    if candidate.status != DuplicateCandidate.Status.OPEN:
        return _conflict(request, "Someone has already decided this pair.")
    action = request.POST.get("action")
    reason = request.POST.get("reason", "").strip()[:REASON_MAX]
    if action == "distinct":
        DuplicateCandidate.objects.filter(pk=candidate.pk, status=DuplicateCandidate.Status.OPEN).update(
            status=DuplicateCandidate.Status.DISTINCT, decided_at=timezone.now(), decided_by=user
        )
        for customer_id in (candidate.first_id, candidate.second_id):
            record_event(
                by=user,
                action="customer.duplicate_dismissed",
                customer_id=customer_id,
                detail={"pair": candidate.pk},
            )
        messages.success(request, "Kept apart: they will not be suggested again.")
        return redirect("managers:duplicates")
    if action != "merge":
        return HttpResponse("Choose merge or not the same person.", status=400)
    keep_id = request.POST.get("keep", "")
    pair = {
        str(candidate.first.public_id): candidate.first,
        str(candidate.second.public_id): candidate.second,
    }
    survivor = pair.get(keep_id)
    if survivor is None or not customers_visible_to(user).filter(pk=survivor.pk).exists():
        return HttpResponse("Keep one of the two profiles, one you can see.", status=400)
    merged = candidate.second if survivor.pk == candidate.first_id else candidate.first
    try:
        merge = merge_customers(
            survivor=survivor,
            merged=merged,
            kind=CustomerMerge.Kind.REVIEWED,
            reason=reason or "Reviewed as the same person.",
            by=user,
            evidence={"pair": candidate.pk, "signals": candidate.evidence.get("signals", [])},
        )
    except MergeRefused as refused:
        return _conflict(request, str(refused))
    DuplicateCandidate.objects.filter(pk=candidate.pk).update(
        status=DuplicateCandidate.Status.MERGED, decided_at=merge.created_at, decided_by=user, merge=merge
    )
    messages.success(request, f"Merged into {survivor.display_name}. You can undo it below.")
    return redirect("managers:duplicates")


@require_POST
@login_required
def undo(request: HttpRequest, merge_id: int) -> HttpResponse:
    user = _manager(request)
    try:
        merge = selectors.merge_for(user, merge_id)
    except CustomerMerge.DoesNotExist:
        raise Http404("No such merge in your stores.") from None
    reason = request.POST.get("reason", "").strip()[:REASON_MAX]
    if not reason:
        messages.error(request, "Say why the merge was wrong before undoing it.")
        return redirect("managers:duplicates")
    try:
        undo_merge(merge=merge, reason=reason, by=user)
    except MergeRefused as refused:
        return _conflict(request, str(refused))
    messages.success(
        request, "Merge undone: both profiles stand on their own again, with what was added since kept."
    )
    return redirect("managers:duplicates")


def _conflict(request: HttpRequest, message: str) -> HttpResponse:
    """A stale form (decided or undone meanwhile): the queue as it is now, with why, as a 409."""
    user = _manager(request)
    context = {"pairs": selectors.open_pairs(user), "merges": selectors.recent_merges(user), "error": message}
    return render(request, "managers/duplicates.html", context, status=409)
