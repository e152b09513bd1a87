"""The customer card's panels as the page and its fragments draw them: her card, her suggestions,
her outreach (appointments, looks, wishlist, waiting messages), the message panel, and each panel's
form. One place, so a fragment redrawn after an action shows what the whole page would."""

from typing import Any

from django.conf import settings
from django.forms import Form
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from customers.models import Customer
from outreach import attachments as outreach_attachments
from outreach import messaging, rules
from outreach.card import CardOutreach, card_outreach
from stores.models import Store
from suggestions.selectors import card_suggestions
from tablet import forms
from tablet.card import CustomerCard, build_card

# The forms a panel of the card opens: name in the URL → (context name, blank form, title).
CARD_FORMS: dict[str, tuple[str, type[Form], Promise]] = {
    "follow-up": ("follow_up_form", forms.FollowUpForm, _("New follow-up")),
    "size": ("size_form", forms.SizeForm, _("Add a size")),
    "preference": ("preference_form", forms.PreferenceForm, _("Add a preference")),
    "date": ("date_form", forms.ImportantDateForm, _("Add a date")),
}


def message_context(
    customer: Customer,
    store: Store | None,
    form: forms.MessageForm | None = None,
    *,
    card: CustomerCard | None = None,
    outreach: CardOutreach | None = None,
    with_form: bool = True,
    attachments: bool = True,
    **extra: Any,
) -> dict[str, Any]:
    """The card's message panel: the channels she can be reached on now (WhatsApp only to answer her
    from ``store``) and, ``with_form``, the form, the templates to start from and (``attachments``)
    the looks and products it can carry (the card draws the form only when the associate opens it).
    What ``card`` and ``outreach`` read is not read again."""
    channels = rules.reachable_channels(
        customer,
        purposes=card.purposes if card is not None else None,
        identifier_kinds=card.identifier_kinds if card is not None else None,
        store=store,
        last_whatsapp=outreach.thread.last_whatsapp_at if outreach is not None else rules.NOT_READ,
    )
    context = {
        **({"outreach": outreach} if outreach is not None else {}),
        "customer": customer,
        "message_channels": channels,
        "message_store": store,
        "message_cap": settings.OUTREACH_CAP,
        "message_cap_days": settings.OUTREACH_CAP_DAYS,
        **extra,
    }
    if with_form:
        offered = outreach_attachments.choices(customer) if attachments else None
        context["message_attachments"] = offered
        context["message_form"] = form or forms.MessageForm(channels=channels, attachments=offered)
        context["message_templates"] = messaging.template_choices(customer=customer, store=store)
    return context


def card_context(customer: Customer, store: Store | None, **forms_in_use: Form) -> dict[str, Any]:
    """Everything the card page draws but the timeline; ``forms_in_use`` replace the blank forms."""
    card = build_card(customer, store=store)
    outreach = card_outreach(customer, store)
    return {
        "card": card,
        "suggestions": card_suggestions(
            customer,
            purposes=card.purposes,
            sizes=card.sizes,
            dislikes=card.dislikes,
            today=store.today() if store else None,
        ),
        "customer": customer,
        # The panels' forms (sizes, preferences, dates, follow-ups) are drawn when the associate
        # opens one (``CARD_FORMS``, tablet:card-form); the card has them only to show errors.
        "note_form": forms.NoteForm(),
        "interaction_form": forms.InteractionForm(),
        "outreach": outreach,
        "wish_form": forms.WishlistForm(),
        **message_context(customer, store, card=card, outreach=outreach, with_form=False),
        **forms_in_use,
    }
