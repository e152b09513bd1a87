"""The purposes a customer can agree to, as shipped. Migration 0002 installed the first four,
0009 WhatsApp."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class PurposeDefinition:
    code: str
    name: str
    description: str
    position: int


PURPOSES = (
    PurposeDefinition(
        "profile",
        "Associates may see my profile and history",
        "Store associates can look me up and see my purchases, sizes and preferences to serve me better.",
        10,
    ),
    PurposeDefinition(
        "suggestions",
        "Personalised suggestions",
        "My purchase history is used to suggest products I may like; nothing from sensitive categories.",
        20,
    ),
    PurposeDefinition(
        "contact_email",
        "Contact me by e-mail",
        "My associate or store may e-mail me about things I may like.",
        30,
    ),
    PurposeDefinition(
        "contact_sms",
        "Contact me by text message",
        "My associate or store may text me, for example when an order is in.",
        40,
    ),
    PurposeDefinition(
        "contact_whatsapp",
        "Messages on WhatsApp",
        "My store may answer my WhatsApp messages there, within a day of my last one.",
        50,
    ),
)


# What the customer reads beside each choice, in her language (the ``Purpose`` rows hold the English
# text staff see in the admin).
_CHOICE_TEXT = {
    "profile": (
        _("Associates may see my profile and history"),
        _("Store staff can find me and see what I bought, my sizes and my preferences, to serve me better."),
    ),
    "suggestions": (
        _("Personalised suggestions"),
        _("My purchases are used to suggest products I may like. Nothing from sensitive categories."),
    ),
    "contact_email": (
        _("Contact me by e-mail"),
        _("My associate or store may e-mail me about things I may like. At most twice a week."),
    ),
    "contact_sms": (
        _("Contact me by text message"),
        _("My associate or store may text me, for example when an order is in. Never at night."),
    ),
    "contact_whatsapp": (
        _("Messages on WhatsApp"),
        _("When I write to my store on WhatsApp, it may answer me there within a day. Never at night."),
    ),
}


def choice_text(code: str, fallback_name: str = "", fallback_description: str = "") -> tuple[str, str]:
    """(label, explanation) for a purpose, translated; a purpose added later falls back to its row."""
    label, description = _CHOICE_TEXT.get(code, (fallback_name, fallback_description))
    return str(label), str(description)
