"""Managers: the message templates, and what was sent from their stores (and what was not)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_http_methods

from accounts.permissions import manager_or_403
from accounts.selectors import current_store, stores_of
from audit.services import record_event
from common.http import render_page
from managers.forms import TemplateForm
from outreach.models import Message, MessageTemplate
from outreach.selectors import store_messages

REFUSAL = "Only store managers edit message templates and review messages."


@require_GET
@login_required
def template_list(request: HttpRequest) -> HttpResponse:
    user = manager_or_403(request, REFUSAL)
    store = current_store(request)
    templates = MessageTemplate.objects.filter(Q(store__isnull=True) | Q(store=store)).select_related(
        "store", "updated_by"
    )
    return render_page(
        request, "managers/template_list.html", {"templates": templates, "store": store, "user": user}
    )


@require_http_methods(["GET", "POST"])
@login_required
def template_edit(request: HttpRequest, template_id: int | None = None) -> HttpResponse:
    """Edit a template (or write a new one). A page left open while someone else saved is refused."""
    user = manager_or_403(request, REFUSAL)
    store = current_store(request)
    template = None
    if template_id is not None:
        template = MessageTemplate.objects.filter(
            Q(store__isnull=True) | Q(store__in=stores_of(user)), pk=template_id
        ).first()
        if template is None:
            raise Http404("No such template.")
    if request.method == "GET":
        initial = {
            "version": template.version if template else 0,
            "for_store": bool(template and template.store_id),
        }
        form = TemplateForm(instance=template, initial=initial)
        return render_page(
            request, "managers/template_form.html", {"form": form, "template": template, "store": store}
        )
    form = TemplateForm(request.POST, instance=template)
    status = 422
    if form.is_valid():
        edited = form.save(commit=False)
        edited.updated_by = user
        edited.store = store if form.cleaned_data["for_store"] else None
        try:
            with transaction.atomic():
                if template is None:
                    edited.save()
                else:
                    updated = MessageTemplate.objects.filter(
                        pk=template.pk, version=form.cleaned_data["version"]
                    ).update(
                        name=edited.name,
                        use=edited.use,
                        language=edited.language,
                        subject=edited.subject,
                        body=edited.body,
                        is_active=edited.is_active,
                        store=edited.store,
                        updated_by=user,
                        version=F("version") + 1,
                    )
                    if not updated:
                        form.add_error(
                            None,
                            "Someone saved this template while you were editing it. Reload to see it.",
                        )
                        return render_page(
                            request,
                            "managers/template_form.html",
                            {"form": form, "template": template, "store": store},
                            status=409,
                        )
                record_event(
                    by=user,
                    action="message_template.saved",
                    store_id=store.pk if store else None,
                    detail={"template_id": edited.pk, "use": edited.use, "language": edited.language},
                )
        except IntegrityError:
            form.add_error("name", "A template with this name already exists for this use and language.")
        else:
            messages.success(request, f"“{edited.name}” is saved.")
            return redirect("managers:templates")
    return render_page(
        request,
        "managers/template_form.html",
        {"form": form, "template": template, "store": store},
        status=status,
    )


@require_GET
@login_required
def message_list(request: HttpRequest) -> HttpResponse:
    """The store's messages, failures first to look at; bodies stay on the customer's card."""
    user = manager_or_403(request, REFUSAL)
    store = current_store(request)
    status = request.GET.get("status", "")
    if status not in Message.Status.values:
        status = ""
    rows = store_messages(user, [store.pk] if store else [], status=status)
    return render_page(
        request,
        "managers/message_list.html",
        {"rows": rows, "store": store, "status": status, "statuses": Message.Status.choices},
    )
