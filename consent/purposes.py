"""The purposes a customer can agree to, as shipped. Migration 0002 installed this same list."""

from dataclasses import dataclass


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
)
