"""Building a look for a customer and sharing it: by message, or a QR code she scans in the store."""

from uuid import UUID

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.selectors import current_store
from common.http import HtmxHttpRequest, render_page
from customers.models import Customer
from outreach import looks, messaging
from outreach.models import Look, Use
from outreach.selectors import look_for_staff, product_choices
from tablet.forms import LookForm, MessageForm
from tablet.panels import message_context
from tablet.views.base import attach, customer_or_404, open_customer, staff
from tablet.views.messaging import queue_from_form


@require_http_methods(["GET", "POST"])
@login_required
def new_look(request: HtmxHttpRequest, public_id: UUID) -> HttpResponse:
    """Tick products among her suggestions and wishlist, or search for more (GET ``q``)."""
    customer = customer_or_404(request, public_id)
    chosen = [
        int(v) for v in request.POST.getlist("products") + request.GET.getlist("products") if v.isdigit()
    ]
    query = request.GET.get("q", "")
    choices = product_choices(customer, query=query, chosen=chosen)
    if request.method == "POST":
        form = LookForm(request.POST, product_choices=choices)
        if form.is_valid():
            try:
                look = looks.create_look(
                    by=staff(request),
                    customer=customer,
                    store=current_store(request),
                    title=form.cleaned_data["title"],
                    note=form.cleaned_data["note"],
                    product_ids=form.cleaned_data["products"],
                )
            except ValidationError as error:
                attach(form, error)
            else:
                return redirect("tablet:look", public_id=customer.public_id, look_id=look.public_id)
        status = 422
    else:
        form = LookForm(
            initial={"products": chosen, "title": request.GET.get("title", _("Chosen for you"))},
            product_choices=choices,
        )
        status = 200
    open_customer(request, customer, via="look")
    return render_page(
        request, "tablet/look_new.html", {"customer": customer, "form": form, "query": query}, status=status
    )


def _look_or_404(request: HtmxHttpRequest, public_id: UUID, look_id: UUID) -> tuple[Customer, Look]:
    customer = customer_or_404(request, public_id)
    try:
        return customer, look_for_staff(staff(request), customer, str(look_id))
    except Look.DoesNotExist:
        raise Http404("No such look.") from None


def _share(look: Look) -> dict[str, str]:
    """The link, and its QR code for her to scan in the store (none once it is withdrawn)."""
    url = looks.look_url(look)
    qr = (
        ""
        if look.revoked_at
        else segno.make(url, error="m").svg_inline(scale=6, title=_("Scan to open the look"))
    )
    return {"url": url, "qr": qr}


@require_GET
@login_required
def look_detail(request: HtmxHttpRequest, public_id: UUID, look_id: UUID) -> HttpResponse:
    """The look as she sees it, with what she liked, and a message to share it, ready to send."""
    customer, look = _look_or_404(request, public_id, look_id)
    store = current_store(request)
    share = _share(look)
    context = message_context(customer, store, attachments=False)
    templates = messaging.template_choices(customer=customer, store=store, use=Use.LOOK)
    values = messaging.merge_values(customer=customer, store=store, by=staff(request), look_url=share["url"])
    subject, body = (
        messaging.render_template(templates[0], values) if templates else (look.title, share["url"])
    )
    context["message_form"] = MessageForm(
        initial={"subject": subject, "body": body, "template": templates[0].pk if templates else None},
        channels=context["message_channels"],
    )
    open_customer(request, customer, via="look")
    return render_page(request, "tablet/look_detail.html", {**context, "look": look, **share})


@require_POST
@login_required
def share_look(request: HtmxHttpRequest, public_id: UUID, look_id: UUID) -> HttpResponse:
    customer, look = _look_or_404(request, public_id, look_id)
    store = current_store(request)
    context = message_context(customer, store, attachments=False)
    sending = queue_from_form(request, customer, store, context["message_channels"], use=Use.LOOK, look=look)
    if sending.message is not None:
        messages.success(request, _("The look is on its way to her."))
        return redirect("tablet:look", public_id=public_id, look_id=look_id)
    context.update(message_form=sending.form, blocked=sending.blocked, look=look, **_share(look))
    open_customer(request, customer, via="look")
    return render_page(request, "tablet/look_detail.html", context, status=sending.status)


@require_POST
@login_required
def revoke_look(request: HtmxHttpRequest, public_id: UUID, look_id: UUID) -> HttpResponse:
    _customer, look = _look_or_404(request, public_id, look_id)
    looks.revoke_look(by=staff(request), look=look)
    messages.success(request, _("The link no longer opens."))
    return redirect(reverse("tablet:look", args=[public_id, look_id]))
