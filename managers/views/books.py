"""The store manager's client books: who looks after whom, the top tier without an owner, and
assigning one by one, in bulk by filter, or a leaving associate's whole book."""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, ngettext_lazy
from django.views.decorators.http import require_GET, require_POST

from accounts.models import User
from accounts.permissions import manager_or_403
from accounts.selectors import current_store, stores_of
from audit.services import record_listing
from customers.models import ValueTier
from relationships import books
from stores.models import Store

PAGE_SIZE = 50


class BookFilterForm(forms.Form):
    tier = forms.ChoiceField(
        choices=[("", gettext_lazy("Any tier")), *ValueTier.choices],
        required=False,
        label=gettext_lazy("Tier"),
    )
    owner = forms.ChoiceField(required=False, label=gettext_lazy("Looked after by"))
    contact = forms.ChoiceField(
        choices=[
            ("", gettext_lazy("Any time")),
            (books.NEVER, gettext_lazy("Never contacted")),
            *(
                (
                    key,
                    ngettext_lazy("Not contacted for %(n)s day", "Not contacted for %(n)s days", "n")
                    % {"n": days},
                )
                for key, days in books.CONTACT_WINDOWS.items()
            ),
        ],
        required=False,
        label=gettext_lazy("Last contact"),
    )
    home = forms.ChoiceField(
        choices=[
            ("", gettext_lazy("Any home store")),
            ("here", gettext_lazy("This store")),
            ("elsewhere", gettext_lazy("Another store")),
        ],
        required=False,
        label=gettext_lazy("Home store"),
    )

    def __init__(self, *args: Any, team: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [  # type: ignore[attr-defined]
            ("", _("Anyone or no one")),
            (books.UNASSIGNED, _("No one")),
            *((str(m.pk), m.get_full_name() or m.username) for m in team),
        ]

    def filters(self) -> books.BookFilters:
        data = self.cleaned_data if self.is_valid() else {}
        return books.BookFilters(
            **{name: data.get(name) or "" for name in ("tier", "owner", "contact", "home")}
        )


def _manager(request: HttpRequest) -> User:
    return manager_or_403(request, _("Only store managers look after the client books."))


def _store(request: HttpRequest, user: User) -> Store:
    stores = stores_of(user)
    wanted = request.GET.get("store") or request.POST.get("store")
    store = next((s for s in stores if s.code == wanted), None) if wanted else current_store(request)
    if store is None or store not in stores:
        raise Http404("Choose one of your stores.")
    return store


def _page(
    request: HttpRequest, user: User, store: Store, *, error: str = "", status: int = 200
) -> HttpResponse:
    team = list(books.team(store))
    form = BookFilterForm(request.GET or None, team=team)
    matching = books.book(user, store, form.filters())
    page = Paginator(matching, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    names = {member.pk: member.get_full_name() or member.username for member in team}
    unowned = list(books.unowned_top_tier(user, store)[:20])
    shown = [customer.pk for customer in [*page, *unowned]]
    record_listing(by=user, page="client book", customer_ids=shown, store_id=store.pk)
    return render(
        request,
        "managers/books.html",
        {
            "store": store,
            "stores": stores_of(user),
            "form": form,
            "page": page,
            "rows": [(customer, names.get(customer.owner_id, "")) for customer in page],  # type: ignore[attr-defined]
            "query": query.urlencode(),
            "team": team,
            "sizes": books.book_sizes(user, store, team),
            "unowned": unowned,
            "unowned_count": books.unowned_top_tier(user, store).count(),
            "error": error,
        },
        status=status,
    )


@require_GET
@login_required
def client_books(request: HttpRequest) -> HttpResponse:
    user = _manager(request)
    store = _store(request, user)
    return _page(request, user, store)


@require_POST
@login_required
def assign(request: HttpRequest) -> HttpResponse:
    """Assign the ticked customers, or every customer matching the page's filters (if there are
    still as many as the page said: otherwise the list changed meanwhile, a 409)."""
    user = _manager(request)
    store = _store(request, user)
    query = QueryDict(request.POST.get("query", ""))
    request.GET = query
    try:
        associate = _member(request.POST.get("associate", ""), store)
    except NotAMember:
        return _page(request, user, store, error=_("Choose someone who works in this store."), status=400)
    if request.POST.get("scope") == "all":
        form = BookFilterForm(query, team=list(books.team(store)))
        ids = list(books.book(user, store, form.filters()).values_list("pk", flat=True))
        if str(len(ids)) != request.POST.get("expected"):
            message = ngettext(
                "The list changed since you looked: %(n)s customer matches now. Check and try again.",
                "The list changed since you looked: %(n)s customers match now. Check and try again.",
                len(ids),
            ) % {"n": len(ids)}
            return _page(request, user, store, error=message, status=409)
    else:
        try:
            ids = [int(pk) for pk in request.POST.getlist("customer")]
        except ValueError:
            return _page(request, user, store, error=_("Tick the customers to assign."), status=400)
        if not ids:
            return _page(request, user, store, error=_("Tick the customers to assign."), status=400)
    try:
        changed = books.assign(by=user, store=store, customer_ids=ids, associate=associate)
    except ValidationError as invalid:
        return _page(request, user, store, error="; ".join(invalid.messages), status=400)
    if associate:
        message = ngettext(
            "%(n)s customer now looked after by %(who)s.",
            "%(n)s customers now looked after by %(who)s.",
            changed,
        ) % {"n": changed, "who": associate.get_full_name() or associate.username}
    else:
        message = ngettext(
            "%(n)s customer now looked after by no one.",
            "%(n)s customers now looked after by no one.",
            changed,
        ) % {"n": changed}
    messages.success(request, message)
    return redirect(f"{reverse('managers:books')}?{query.urlencode()}")


@require_POST
@login_required
def hand_over(request: HttpRequest) -> HttpResponse:
    """Hand a leaving associate's whole book to a colleague, or spread it across the team."""
    user = _manager(request)
    store = _store(request, user)
    request.GET = QueryDict(f"store={store.code}")
    try:
        leaving = _member(request.POST.get("leaving", ""), store)
        to = _member(request.POST.get("to", ""), store)
    except NotAMember:
        leaving = None
    if leaving is None:
        return _page(
            request, user, store, error=_("Choose whose book to hand over, and to whom."), status=400
        )
    try:
        moved = books.hand_over_book(by=user, store=store, leaving=leaving, to=to)
    except ValidationError as invalid:
        return _page(request, user, store, error="; ".join(invalid.messages), status=400)
    name = leaving.get_full_name() or leaving.username
    if to:
        message = ngettext(
            "%(name)s's book (%(n)s customer) handed to %(to)s.",
            "%(name)s's book (%(n)s customers) handed to %(to)s.",
            moved,
        ) % {"name": name, "n": moved, "to": to.get_full_name() or to.username}
    else:
        message = ngettext(
            "%(name)s's book (%(n)s customer) handed to the rest of the team.",
            "%(name)s's book (%(n)s customers) handed to the rest of the team.",
            moved,
        ) % {"name": name, "n": moved}
    messages.success(request, message)
    return redirect(f"{reverse('managers:books')}?store={store.code}")


class NotAMember(Exception):
    """The form named someone who does not work in the store."""


def _member(raw: str, store: Store) -> User | None:
    """The team member with id ``raw``; None for "no one" (an empty choice)."""
    if not raw:
        return None
    try:
        return books.team(store).get(pk=int(raw))
    except (ValueError, User.DoesNotExist):
        raise NotAMember from None
