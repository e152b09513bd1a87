"""Managers: the message templates, and what was sent from their stores (and what was not)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET, require_http_methods

from accounts.permissions import manager_or_403
from accounts.selectors import current_store
from audit.services import record_listing
from common.http import render_page
from managers.forms import TemplateForm
from outreach.models import Message, MessageTemplate
from outreach.selectors import store_messages, template_to_edit, templates_of
from outreach.templates import StaleTemplate, save_template
from stores.models import Store

REFUSAL = gettext_noop("Only store managers edit message templates and review messages.")


@require_GET
@login_required
def template_list(request: HttpRequest) -> HttpResponse:
    user = manager_or_403(request, _(REFUSAL))
    store = current_store(request)
    templates = templates_of(store)
    return render_page(
        request, "managers/template_list.html", {"templates": templates, "store": store, "user": user}
    )


@require_http_methods(["GET", "POST"])
@login_required
def template_edit(request: HttpRequest, template_id: int | None = None) -> HttpResponse:
    """Edit a template (or write a new one). A page left open while someone else saved is refused."""
    user = manager_or_403(request, _(REFUSAL))
    store = current_store(request)
    template = None
    if template_id is not None:
        template = template_to_edit(user, template_id)
        if template is None:
            raise Http404("No such template.")
    if request.method == "GET":
        initial = {
            "version": template.version if template else 0,
            "for_store": bool(template and template.store_id),
        }
        form = TemplateForm(instance=template, initial=initial)
        return _form_page(request, form, template, store)
    form = TemplateForm(request.POST, instance=template)
    if not form.is_valid():
        return _form_page(request, form, template, store, status=422)
    data = form.cleaned_data
    try:
        saved = save_template(
            by=user,
            template=template,
            values=data,
            store=store if data["for_store"] else None,
            seen_version=data["version"],
        )
    except StaleTemplate:
        form.add_error(None, _("Someone saved this template while you were editing it. Reload to see it."))
        return _form_page(request, form, template, store, status=409)
    except ValidationError as error:
        for field, problems in error.message_dict.items():
            form.add_error(field, problems)
        return _form_page(request, form, template, store, status=422)
    messages.success(request, _("“%(name)s” is saved.") % {"name": saved.name})
    return redirect("managers:templates")


def _form_page(
    request: HttpRequest,
    form: TemplateForm,
    template: MessageTemplate | None,
    store: Store | None,
    status: int = 200,
) -> HttpResponse:
    context = {"form": form, "template": template, "store": store}
    return render_page(request, "managers/template_form.html", context, status=status)


@require_GET
@login_required
def message_list(request: HttpRequest) -> HttpResponse:
    """The store's messages, failures first to look at; bodies stay on the customer's card."""
    user = manager_or_403(request, _(REFUSAL))
    store = current_store(request)
    status = request.GET.get("status", "")
    if status not in Message.Status.values:
        status = ""
    rows = list(store_messages(user, [store.pk] if store else [], status=status))
    record_listing(
        by=user,
        page="messages",
        customer_ids=[row.customer_id for row in rows],
        store_id=store.pk if store else None,
    )
    return render_page(
        request,
        "managers/message_list.html",
        {"rows": rows, "store": store, "status": status, "statuses": Message.Status.choices},
    )
