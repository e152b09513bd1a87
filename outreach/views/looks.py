"""Building a look for a customer and sharing it: by message, or a QR code she scans in the store."""

from uuid import UUID

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from clienteling.http import HtmxHttpRequest
from customers.views import _customer_or_404, _render, _staff
from outreach import looks, messaging
from outreach.forms import LookForm, MessageForm, message_context
from outreach.models import Look, Use
from outreach.selectors import look_for_staff, product_choices
from stores.selectors import current_store


@require_http_methods(["GET", "POST"])
@login_required
def new_look(request: HtmxHttpRequest, public_id: UUID) -> HttpResponse:
    """Tick products among her suggestions and wishlist, or search for more (GET ``q``)."""
    customer = _customer_or_404(request, public_id)
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
                    by=_staff(request),
                    customer=customer,
                    store=current_store(request),
                    title=form.cleaned_data["title"],
                    note=form.cleaned_data["note"],
                    product_ids=form.cleaned_data["products"],
                )
            except ValidationError as error:
                for name, errors in error.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                return redirect("outreach:look", public_id=customer.public_id, look_id=look.public_id)
        status = 422
    else:
        form = LookForm(
            initial={"products": chosen, "title": request.GET.get("title", "Chosen for you")},
            product_choices=choices,
        )
        status = 200
    return _render(
        request, "outreach/look_new.html", {"customer": customer, "form": form, "query": query}, status=status
    )


def _look_or_404(request: HtmxHttpRequest, public_id: UUID, look_id: UUID) -> tuple[object, Look]:
    customer = _customer_or_404(request, public_id)
    try:
        return customer, look_for_staff(_staff(request), customer, str(look_id))
    except Look.DoesNotExist:
        raise Http404("No such look.") from None


@require_http_methods(["GET"])
@login_required
def look_detail(request: HtmxHttpRequest, public_id: UUID, look_id: UUID) -> HttpResponse:
    customer, look = _look_or_404(request, public_id, look_id)
    store = current_store(request)
    url = looks.look_url(look)
    context = message_context(customer, store)  # type: ignore[arg-type]
    templates = messaging.template_choices(customer=customer, store=store, use=Use.LOOK)  # type: ignore[arg-type]
    if templates:
        subject, body = messaging.render_template(
            templates[0],
            messaging.merge_values(customer=customer, store=store, by=_staff(request), look_url=url),  # type: ignore[arg-type]
        )
    else:
        subject, body = look.title, url
    context["message_form"] = MessageForm(
        initial={"subject": subject, "body": body, "template": templates[0].pk if templates else None},
        channels=context["message_channels"],
    )
    qr = (
        segno.make(url, error="m").svg_inline(scale=6, title="Scan to open the look")
        if look.revoked_at is None
        else ""
    )
    return _render(request, "outreach/look_detail.html", {**context, "look": look, "url": url, "qr": qr})


@require_POST
@login_required
def share_look(request: HtmxHttpRequest, public_id: UUID, look_id: UUID) -> HttpResponse:
    customer, look = _look_or_404(request, public_id, look_id)
    store = current_store(request)
    context = message_context(customer, store)  # type: ignore[arg-type]
    form = MessageForm(request.POST, channels=context["message_channels"])
    status = 200
    if store is None:
        form.add_error(None, "Choose the store you are in first.")
    if form.is_valid() and store is not None:
        data = form.cleaned_data
        try:
            messaging.queue_message(
                by=_staff(request),
                customer=customer,  # type: ignore[arg-type]
                store=store,
                channel=data["channel"],
                use=Use.LOOK,
                subject=data["subject"],
                body=data["body"],
                look=look,
                after_quiet_hours=data["after_quiet_hours"],
            )
        except messaging.MessageBlocked as blocked:
            context["blocked"] = blocked.blocked
            form = MessageForm(
                initial={**data, "after_quiet_hours": blocked.blocked.rule == "quiet_hours"},
                channels=context["message_channels"],
            )
            status = 409
        except ValidationError as error:
            for name, errors in error.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
            status = 422
        else:
            messages.success(request, "The look is on its way to her.")
            return redirect("outreach:look", public_id=public_id, look_id=look_id)
    else:
        status = 422
    url = looks.look_url(look)
    qr = segno.make(url, error="m").svg_inline(scale=6, title="Scan to open the look")
    context.update(message_form=form, look=look, url=url, qr=qr)
    return _render(request, "outreach/look_detail.html", context, status=status)


@require_POST
@login_required
def revoke_look(request: HtmxHttpRequest, public_id: UUID, look_id: UUID) -> HttpResponse:
    _, look = _look_or_404(request, public_id, look_id)
    looks.revoke_look(by=_staff(request), look=look)
    messages.success(request, "The link no longer opens.")
    return redirect(reverse("outreach:look", args=[public_id, look_id]))
