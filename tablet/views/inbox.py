"""The store's inbox: conversations with her messages, unread first; read, done, assign; and the
unread count the top bar polls."""

from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_GET, require_POST

from accounts.selectors import current_store, staff_member_of, staff_of, stores_of
from audit.services import record_listing
from common.http import HtmxHttpRequest, render_page
from outreach import inbox as inbox_
from outreach.models import Conversation
from stores.models import Store
from tablet.views.base import customer_or_404, staff

PAGE = "tablet/inbox.html"


def _store_or_404(request: HtmxHttpRequest) -> Store:
    store = current_store(request)
    if store is None:
        raise Http404("You are not attached to a store.")
    return store


def _conversation_or_404(request: HtmxHttpRequest, conversation_id: int) -> Conversation:
    store_ids = [s.pk for s in stores_of(staff(request))]
    conversation = inbox_.conversation_for(store_ids, conversation_id)
    if conversation is None:
        raise Http404("No such conversation.")
    return conversation


def _listed(request: HtmxHttpRequest, show: str, *, whole: bool) -> HttpResponse:
    """The list for ``show`` (the whole page, or the list alone), its customers accounted for."""
    store = _store_or_404(request)
    show = show if show in inbox_.SHOWS else "mine"
    rows = inbox_.inbox(store, staff(request), show=show)
    record_listing(
        by=staff(request),
        page="inbox",
        customer_ids=[r.conversation.customer_id for r in rows if r.visible and r.conversation.customer_id],
        store_id=store.pk,
    )
    context = {"store": store, "rows": rows, "show": show, "shows": inbox_.SHOWS, "staff": staff_of(store)}
    return render_page(request, PAGE if whole else f"{PAGE}#inbox-list", context)


@require_GET
@login_required
def inbox(request: HtmxHttpRequest) -> HttpResponse:
    """The store's conversations (mine, the queue, all open, done); htmx: the list alone."""
    return _listed(request, request.GET.get("show", "mine"), whole=not request.htmx)


@require_GET
@login_required
def unread(request: HtmxHttpRequest) -> HttpResponse:
    """The top bar's count of conversations waiting for an answer (hers and the store's queue), and,
    when a message reached one since the last poll (``since``, which the badge carries), a notice of
    the newest, drawn out of band: her name and a preview, masked as the inbox masks it."""
    now = timezone.now()
    store = current_store(request)
    count = inbox_.unread_count(store, staff(request))
    since = parse_datetime(request.GET.get("since", ""))
    news = inbox_.news_since(store, staff(request), since) if since and count else None
    if news is not None and news.visible and news.conversation.customer_id:
        record_listing(
            by=staff(request),
            page="inbox-notice",
            customer_ids=[news.conversation.customer_id],
            store_id=news.conversation.store_id,
        )
    return render_page(
        request, f"{PAGE}#unread-badge", {"unread": count, "since": now.isoformat(), "news": news}
    )


def _back(request: HtmxHttpRequest) -> HttpResponse:
    """htmx: the list, redrawn; without JavaScript: back to the page."""
    show = request.POST.get("show", "mine")
    show = show if show in inbox_.SHOWS else "mine"
    if request.htmx:
        return _listed(request, show, whole=False)
    return redirect(f"{reverse('tablet:inbox')}?show={show}")


@require_POST
@login_required
def mark_read(request: HtmxHttpRequest, conversation_id: int) -> HttpResponse:
    inbox_.mark_read(by=staff(request), conversation=_conversation_or_404(request, conversation_id))
    return _back(request)


@require_POST
@login_required
def mark_done(request: HtmxHttpRequest, conversation_id: int) -> HttpResponse:
    inbox_.mark_done(by=staff(request), conversation=_conversation_or_404(request, conversation_id))
    return _back(request)


@require_POST
@login_required
def assign(request: HtmxHttpRequest, conversation_id: int) -> HttpResponse:
    """To a colleague of the conversation's store, to me, or back to the queue (``to`` empty)."""
    conversation = _conversation_or_404(request, conversation_id)
    to_id = request.POST.get("to", "")
    to = None
    if to_id:
        if not to_id.isdigit():
            raise Http404("No such colleague.")
        to = staff_member_of(conversation.store, int(to_id))
        if to is None:
            raise Http404("No such colleague.")
    inbox_.assign(by=staff(request), conversation=conversation, to=to)
    return _back(request)


@require_POST
@login_required
def thread_read(request: HtmxHttpRequest, public_id: UUID) -> HttpResponse:
    """htmx, when her thread comes into view on her card: her conversation with this store is read,
    and the top bar's count is redrawn in the same answer (out of band); 204 when nothing was unread."""
    customer = customer_or_404(request, public_id)
    store = current_store(request)
    if store is None or not inbox_.read_on_card(
        by=staff(request), customer_id=customer.pk, store_id=store.pk
    ):
        return HttpResponse(status=204)
    count = inbox_.unread_count(store, staff(request))
    context = {"unread": count, "oob": True, "since": timezone.now().isoformat()}
    return render_page(request, f"{PAGE}#unread-badge", context)
