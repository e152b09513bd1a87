"""The store manager's notes review: the queue with its filters, and approve, redact or delete.

A decision made on a page that is out of date (the note changed or was decided in another tab) is
a 409 showing the queue as it is now; a note outside her stores, or about a customer she may not
see, is a 404; associates get a 403.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from accounts.models import User
from accounts.permissions import manager_or_403
from audit.services import record_listing
from common.widgets import DatePicker
from relationships import review, selectors
from relationships.models import Note
from relationships.sensitive import TOPIC_LABELS

PAGE_SIZE = 25


class NoteFilterForm(forms.Form):
    review = forms.ChoiceField(
        choices=[*Note.Review.choices, (selectors.ALL, gettext_lazy("All"))],
        required=False,
        label=gettext_lazy("Status"),
    )
    author = forms.ModelChoiceField(
        queryset=User.objects.none(),
        required=False,
        empty_label=gettext_lazy("Anyone"),
        label=gettext_lazy("Author"),
    )
    flag = forms.ChoiceField(
        choices=[
            ("", gettext_lazy("Any")),
            (selectors.FLAGGED, gettext_lazy("Flagged")),
            (selectors.UNFLAGGED, gettext_lazy("Not flagged")),
            *(
                (topic, format_lazy(gettext_lazy("Flagged: {topic}"), topic=label))
                for topic, label in TOPIC_LABELS.items()
            ),
        ],
        required=False,
        label=gettext_lazy("Flag"),
    )
    since = forms.DateField(required=False, label=gettext_lazy("From"), widget=DatePicker())
    until = forms.DateField(required=False, label=gettext_lazy("To"), widget=DatePicker())

    def __init__(self, *args: object, user: User, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["author"].queryset = selectors.authors_for_review(user)  # type: ignore[attr-defined]

    def filters(self) -> selectors.NoteFilters:
        data = self.cleaned_data if self.is_valid() else {}
        author = data.get("author")
        return selectors.NoteFilters(
            review=data.get("review") or Note.Review.PENDING,
            author_id=author.pk if author else None,
            flag=data.get("flag") or "",
            since=data.get("since"),
            until=data.get("until"),
        )


def _manager(request: HttpRequest) -> User:
    return manager_or_403(request, _("Only store managers review notes."))


def _queue(request: HttpRequest, user: User, *, error: str = "", status: int = 200) -> HttpResponse:
    form = NoteFilterForm(request.GET or None, user=user)
    notes = selectors.notes_for_review(user, form.filters())
    page = Paginator(notes, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    record_listing(by=user, page="notes review", customer_ids=[note.customer_id for note in page])
    return render(
        request,
        "managers/notes_review.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "hidden": selectors.hidden_pending_count(user),
            "delete_reasons": review.DELETE_REASONS.items(),
            "error": error,
        },
        status=status,
    )


@require_GET
@login_required
def notes_review(request: HttpRequest) -> HttpResponse:
    return _queue(request, _manager(request))


@require_POST
@login_required
def decide(request: HttpRequest, note_id: int) -> HttpResponse:
    """Approve, redact or delete one note, against the version the page showed."""
    user = _manager(request)
    try:
        note = selectors.note_for_review(user, note_id)
    except Note.DoesNotExist:
        raise Http404("No such note in your stores.") from None
    try:
        seen = int(request.POST.get("version", ""))
    except ValueError:
        return HttpResponse(_("The form is missing the note's version; reload the page."), status=400)
    action = request.POST.get("action")
    try:
        if action == "approve":
            review.approve_note(by=user, note=note, seen_version=seen)
            messages.success(request, _("Note approved."))
        elif action == "redact":
            body, reason = request.POST.get("body", ""), request.POST.get("reason", "")
            review.redact_note(by=user, note=note, seen_version=seen, body=body, reason=reason)
            messages.success(
                request, _("Note redacted; the earlier text is kept in its history for managers.")
            )
        elif action == "delete":
            review.delete_note(by=user, note=note, seen_version=seen, reason=request.POST.get("reason", ""))
            messages.success(request, _("Note deleted."))
        else:
            return HttpResponse(_("Choose approve, redact or delete."), status=400)
    except review.StaleReview as stale:
        return _queue(_with_query(request), user, error=str(stale), status=409)
    except ValidationError as invalid:
        return _queue(_with_query(request), user, error="; ".join(invalid.messages), status=400)
    query = QueryDict(request.POST.get("query", "")).urlencode()  # re-encoded: only a query string
    return redirect(f"{reverse('managers:notes-review')}?{query}")


def _with_query(request: HttpRequest) -> HttpRequest:
    """The POST's request, to show the queue with the filters its page had."""
    request.GET = QueryDict(request.POST.get("query", ""))
    return request
