"""Managers' pages: the duplicate review queue (evidence side by side, merge or tell apart) and the
merges made in their stores, each of which can be undone with a reason."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import User
from accounts.permissions import manager_or_403
from audit.services import record_listing
from identity import selectors
from identity.merging import MergeRefused, undo_merge
from identity.models import CustomerMerge, DuplicateCandidate
from identity.review import REASON_MAX, AlreadyDecided, NotOfThePair, keep_apart, merge_pair


def _manager(request: HttpRequest) -> User:
    return manager_or_403(request, _("Only store managers review duplicates and merges."))


@require_GET
@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    user = _manager(request)
    return render(request, "managers/duplicates.html", _queue_context(user))


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
        return _conflict(request, _("Someone has already decided this pair."))
    action = request.POST.get("action")
    reason = request.POST.get("reason", "").strip()[:REASON_MAX]
    try:
        if action == "distinct":
            keep_apart(by=user, candidate=candidate)
            messages.success(request, _("Kept apart: they will not be suggested again."))
            return redirect("managers:duplicates")
        if action != "merge":
            return HttpResponse(_("Choose merge or not the same person."), status=400)
        merge = merge_pair(
            by=user, candidate=candidate, keep_public_id=request.POST.get("keep", ""), reason=reason
        )
    except AlreadyDecided:
        return _conflict(request, _("Someone has already decided this pair."))
    except NotOfThePair as refused:
        return HttpResponse(str(refused), status=400)
    except MergeRefused as refused:
        return _conflict(request, str(refused))
    messages.success(
        request, _("Merged into %(name)s. You can undo it below.") % {"name": merge.survivor.display_name}
    )
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
        messages.error(request, _("Say why the merge was wrong before undoing it."))
        return redirect("managers:duplicates")
    try:
        undo_merge(merge=merge, reason=reason, by=user)
    except MergeRefused as refused:
        return _conflict(request, str(refused))
    messages.success(
        request, _("Merge undone: both profiles stand on their own again, with what was added since kept.")
    )
    return redirect("managers:duplicates")


def _conflict(request: HttpRequest, message: str) -> HttpResponse:
    """A stale form (decided or undone meanwhile): the queue as it is now, with why, as a 409."""
    user = _manager(request)
    return render(request, "managers/duplicates.html", {**_queue_context(user), "error": message}, status=409)


def _queue_context(user: User) -> dict[str, object]:
    """The open pairs and recent merges, with the customers they show her accounted for."""
    pairs, merges = selectors.open_pairs(user), list(selectors.recent_merges(user))
    shown = [side.customer.pk for pair in pairs for side in pair.sides if side.visible]
    record_listing(by=user, page="duplicates", customer_ids=shown + [merge.survivor_id for merge in merges])
    return {"pairs": pairs, "merges": merges}
