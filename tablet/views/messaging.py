"""On the customer card: writing her a message (from a template, under the rules), and cancelling one
that waits."""

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.selectors import current_store, stores_of
from common.http import HtmxHttpRequest, render_page
from customers.models import Customer
from occasions import actions as occasion_actions
from occasions import selectors as occasion_selectors
from occasions.models import Occasion
from outreach import attachments as outreach_attachments
from outreach import messaging, rules
from outreach.attachments import Attachment
from outreach.card import card_outreach
from outreach.models import Look, Message, Use
from outreach.selectors import message_of, template_by_id
from stores.models import Store
from tablet.forms import MessageForm
from tablet.panels import card_context, message_context
from tablet.timeline import customer_timeline
from tablet.views.base import account_for_read, attach, customer_or_404, open_customer, staff

CARD = "tablet/customer_detail.html"


@require_GET
@login_required
def compose(request: HtmxHttpRequest, public_id: UUID) -> HttpResponse:
    """The message panel with its form (opened from the card), filled from a template when one is
    chosen; without JavaScript, a page of its own."""
    customer = customer_or_404(request, public_id)
    store = current_store(request)
    outreach = card_outreach(customer, store)
    context = message_context(customer, store, outreach=outreach)
    if outreach.thread.last_from_her is not None:  # she wrote: the quick answers come first
        context["reply_templates"] = messaging.template_choices(customer=customer, store=store, use=Use.REPLY)
    offered = [*context.get("reply_templates", []), *context["message_templates"]]
    template_id = request.GET.get("template", "")
    occasion = _occasion_of(request, customer, request.GET.get("occasion", ""))
    template = None
    if template_id.isdigit():
        template = next((t for t in offered if t.pk == int(template_id)), None)
        if template is None:
            raise Http404("No such template.")
    elif occasion is not None:
        template = occasion_selectors.suggested_template(occasion, offered)
    if template is not None or occasion is not None:
        initial: dict[str, object] = {"occasion": occasion.pk if occasion else None}
        if template is not None:
            subject, body = messaging.render_template(
                template, messaging.merge_values(customer=customer, store=store, by=staff(request))
            )
            initial |= {"template": template.pk, "subject": subject, "body": body}
        if request.GET.get("channel") in context["message_channels"]:
            initial["channel"] = request.GET["channel"]
        context["message_form"] = MessageForm(
            initial=initial, channels=context["message_channels"], attachments=context["message_attachments"]
        )
    account_for_read(request, customer, via="message")
    if request.htmx:
        return render_page(request, f"{CARD}#message", context)
    return render_page(
        request, "tablet/card_form.html", {**context, "form_name": "message", "title": _("Message her")}
    )


def _occasion_of(request: HtmxHttpRequest, customer: Customer, occasion_id: str) -> Occasion | None:
    """Her open occasion of one of the viewer's stores that a message is written for, if any."""
    if not occasion_id.isdigit():
        return None
    found = occasion_selectors.open_occasion([s.pk for s in stores_of(staff(request))], int(occasion_id))
    return found if found is not None and found.customer_id == customer.pk else None


@dataclass
class Sending:
    """What came of a message form: the message, or the form again with why it did not go."""

    message: Message | None
    form: MessageForm
    blocked: rules.Blocked | None = None
    status: int = 200


def queue_from_form(
    request: HtmxHttpRequest,
    customer: Customer,
    store: Store | None,
    channels: list[str],
    *,
    use: str,
    look: Look | None = None,
    attachments: list[tuple[str, str]] | None = None,
) -> Sending:
    """Queue what the associate wrote (on the card, with what she chose to attach; or to share
    ``look``) under the rules."""
    form = MessageForm(request.POST, channels=channels, attachments=attachments)
    if store is None:
        form.add_error(None, _("Choose the store you are in first."))
    if not form.is_valid() or store is None:
        return Sending(None, form, status=422)
    data = form.cleaned_data
    template = template_by_id(data["template"]) if data["template"] else None
    attachment = (
        Attachment(look=look) if look else outreach_attachments.from_choice(customer, data.get("attach", ""))
    )
    try:
        message = outreach_attachments.queue_with(
            by=staff(request),
            customer=customer,
            store=store,
            attachment=attachment,
            channel=data["channel"],
            use=use,
            subject=data["subject"],
            body=data["body"],
            template=template,
            after_quiet_hours=data["after_quiet_hours"],
        )
    except messaging.MessageBlocked as blocked:
        # The same text again; in quiet hours, the button now sends it when they end.
        retry = MessageForm(
            initial={**data, "after_quiet_hours": blocked.blocked.rule == "quiet_hours"},
            channels=channels,
            attachments=attachments,
        )
        return Sending(None, retry, blocked.blocked, status=409)
    except ValidationError as error:
        attach(form, error)
        return Sending(None, form, status=422)
    return Sending(message, form)


@require_POST
@login_required
def send(request: HtmxHttpRequest, public_id: UUID) -> HttpResponse:
    customer = customer_or_404(request, public_id)
    store = current_store(request)
    context = message_context(customer, store)
    # Written from her thread within the window, it answers her; queue_message checks the window.
    use = Use.REPLY if request.POST.get("answering") == "1" else Use.OUTREACH
    sending = queue_from_form(
        request,
        customer,
        store,
        context["message_channels"],
        use=use,
        attachments=context["message_attachments"],
    )
    if sending.message is None:
        context.update(message_form=sending.form, blocked=sending.blocked)
        return _after(request, customer, context, status=sending.status)
    occasion = _occasion_of(request, customer, str(sending.form.cleaned_data.get("occasion") or ""))
    if occasion is not None:
        occasion_actions.done(by=staff(request), occasion=occasion, outcome=Occasion.Outcome.MESSAGE)
    return _after(request, customer, {**message_context(customer, store), "queued": sending.message})


def _after(
    request: HtmxHttpRequest, customer: Customer, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    viewer = staff(request).pk
    if request.htmx:
        account_for_read(request, customer, via="message")
        context["page"] = customer_timeline(customer, viewer=viewer)
        context["outreach"] = card_outreach(customer, current_store(request))
        return render_page(request, f"{CARD}#message", context, status=status)
    if status == 200:
        return redirect("tablet:card", public_id=customer.public_id)
    full = {
        **card_context(customer, current_store(request)),
        **context,
        "page": customer_timeline(customer, viewer=viewer),
        "opening": open_customer(request, customer, via="message"),
    }
    return render_page(request, CARD, full, status=status)


@require_POST
@login_required
def cancel(request: HtmxHttpRequest, public_id: UUID, message_id: UUID) -> HttpResponse:
    customer = customer_or_404(request, public_id)
    message = message_of(customer, message_id)
    if message is None:
        raise Http404("No such message.")
    messaging.cancel_message(by=staff(request), message=message)
    return _after(request, customer, message_context(customer, current_store(request)))
