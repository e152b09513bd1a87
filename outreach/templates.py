"""Message templates as managers write them: for the whole chain or one store, per use and language.
Associates choose among them on the card (``messaging.template_choices``)."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F

from accounts.models import User
from audit.services import record_event
from outreach.models import MessageTemplate
from stores.models import Store

FIELDS = ("name", "use", "language", "subject", "body", "is_active")


class StaleTemplate(Exception):
    """Someone saved the template after the page being sent was drawn."""


def save_template(
    *,
    by: User,
    template: MessageTemplate | None,
    values: dict[str, Any],
    store: Store | None,
    seen_version: int | None,
) -> MessageTemplate:
    """Write a new template (``template=None``), or the edit of ``template`` made from its version
    ``seen_version``; ``store``: the store it is for (None: the whole chain). Raises ``StaleTemplate``
    when it was saved meanwhile, ``ValidationError`` when the name is taken for its use and language."""
    values = {name: values[name] for name in FIELDS}
    try:
        with transaction.atomic():
            if template is None:
                template = MessageTemplate.objects.create(**values, store=store, updated_by=by)
            else:
                if seen_version is None:  # a page that does not say which version it was drawn from
                    raise StaleTemplate
                updated = MessageTemplate.objects.filter(pk=template.pk, version=seen_version).update(
                    **values, store=store, updated_by=by, version=F("version") + 1
                )
                if not updated:
                    raise StaleTemplate
            record_event(
                by=by,
                action="message_template.saved",
                store_id=store.pk if store else None,
                detail={"template_id": template.pk, "use": values["use"], "language": values["language"]},
            )
    except IntegrityError:
        raise ValidationError(
            {"name": "A template with this name already exists for this use and language."}
        ) from None
    return template
