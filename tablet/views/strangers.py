"""A message from a number nobody has: reading it, and linking it to the customer it is."""

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.selectors import current_store, stores_of
from audit.services import record_listing
from common.http import HtmxHttpRequest, render_page
from outreach import inbox as inbox_
from outreach import strangers
from outreach.models import Conversation
from tablet.search import search_customers, with_details
from tablet.views.base import customer_or_404, staff

PAGE = "tablet/inbox_sender.html"


def _stranger_or_404(request: HtmxHttpRequest, conversation_id: int) -> Conversation:
    """An unknown sender's conversation with one of the viewer's stores."""
    store_ids = [s.pk for s in stores_of(staff(request))]
    conversation = inbox_.conversation_for(store_ids, conversation_id)
    if conversation is None or conversation.customer_id is not None:
        raise Http404("No such conversation with an unknown sender.")
    return conversation


def _page(
    request: HtmxHttpRequest,
    conversation: Conversation,
    *,
    query: str = "",
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    store = current_store(request)
    results = with_details(search_customers(staff(request), query, store=store), store) if query else []
    if results:
        record_listing(
            by=staff(request),
            page="link-sender",
            customer_ids=[r.customer.pk for r in results],
            store_id=conversation.store_id,
        )
    context = {
        "conversation": conversation,
        "store": conversation.store,
        "entries": strangers.stranger_thread(conversation),
        "query": query,
        "results": results,
        "error": error,
    }
    template = f"{PAGE}#link-results" if request.htmx and query else PAGE
    return render_page(request, template, context, status=status)


@require_GET
@login_required
def sender(request: HtmxHttpRequest, conversation_id: int) -> HttpResponse:
    """What the unknown sender wrote, and the search to find who she is."""
    return _page(request, _stranger_or_404(request, conversation_id))


@require_POST
@login_required
def sender_search(request: HtmxHttpRequest, conversation_id: int) -> HttpResponse:
    """The customers matching what was typed (in the body, never the URL); htmx: the results only."""
    conversation = _stranger_or_404(request, conversation_id)
    return _page(request, conversation, query=request.POST.get("q", "").strip())


@require_POST
@login_required
def link(request: HtmxHttpRequest, conversation_id: int) -> HttpResponse:
    """Link the unknown sender to the customer chosen (one the linker may see), then open her card."""
    conversation = _stranger_or_404(request, conversation_id)
    try:
        customer = customer_or_404(request, UUID(request.POST.get("customer", "")))
    except ValueError:
        raise Http404("No such customer.") from None
    try:
        linked = strangers.link_sender(
            by=staff(request),
            conversation=conversation,
            customer=customer,
            save_number=request.POST.get("save_number") == "1",
        )
    except strangers.CannotLink as error:
        return _page(request, conversation, error=str(error), status=409)
    if linked.number_saved:
        messages.success(
            request, _("Her messages are in her conversation, and the number is on her profile.")
        )
    else:
        messages.success(request, _("Her messages are in her conversation."))
    return redirect("tablet:card", public_id=customer.public_id)
