"""What associates send and share: messages, looks, wishlists and appointments.

Every row hangs off one customer and goes with her: a merge moves it, an erasure deletes it.
"""

from outreach.models.conversations import Conversation, InboundMessage
from outreach.models.items import Appointment, Look, LookItem, TsTzRange, WishlistItem
from outreach.models.messages import (
    CAPPED_USES,
    CHANNEL_PURPOSE,
    CONTACT_USES,
    Channel,
    Message,
    MessageTemplate,
    Use,
)

__all__ = [
    "CAPPED_USES",
    "CHANNEL_PURPOSE",
    "CONTACT_USES",
    "Appointment",
    "Channel",
    "Conversation",
    "InboundMessage",
    "Look",
    "LookItem",
    "Message",
    "MessageTemplate",
    "TsTzRange",
    "Use",
    "WishlistItem",
]
