"""Conversations: one thread per customer and store, our messages and her replies.

A conversation is the pair (customer, store). Our side of it is ``Message`` as it always was (each
message already names her and the store it left from); her side is ``InboundMessage``, which names
the same pair. The ``Conversation`` row holds only what the inbox needs: who answers her (her
associate, else the store's queue), whether it is done, and up to when staff have read it. Keyed so,
a merge moves her messages and replies row by row (and an undo moves back exactly those), and her
thread with a store is whatever both tables hold for the pair.

A text from a number nobody has is a conversation of the store with that sender and no customer: no
profile is made for a stranger.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from outreach.models.messages import Channel


class Conversation(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")

    store = models.ForeignKey("stores.Store", on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey(
        "customers.Customer", null=True, blank=True, on_delete=models.CASCADE, related_name="conversations"
    )
    # An unknown sender's number or address (normalised); "" when the conversation is a customer's.
    sender = models.CharField(max_length=254, blank=True)
    # Who answers her: her associate by default; None is the store's queue.
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    # Her replies received after this moment are unread (None: none read yet).
    last_read_at = models.DateTimeField(null=True, blank=True)
    last_inbound_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "store"],
                condition=Q(customer__isnull=False),
                name="conversation_customer_store",
            ),
            models.UniqueConstraint(
                fields=["store", "sender"],
                condition=Q(customer__isnull=True),
                name="conversation_unknown_sender",
            ),
            models.CheckConstraint(
                condition=Q(customer__isnull=False) | ~Q(sender=""), name="conversation_has_someone"
            ),
        ]
        indexes = [
            models.Index(fields=["store", "status", "-last_inbound_at"], name="conversation_inbox"),
        ]

    def __str__(self) -> str:
        who = f"customer {self.customer_id}" if self.customer_id else "an unknown sender"
        return f"conversation of {who} with store {self.store_id}"


class InboundMessage(models.Model):
    """One message she (or an unknown sender) sent us, as a provider forwarded it, kept once.

    The same provider message delivered twice is one row (``provider``, ``provider_message_id``).
    Nothing here is ever answered on a channel she has not agreed to: ``not_to_be_answered`` says
    so to staff.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    store = models.ForeignKey("stores.Store", on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey(
        "customers.Customer", null=True, blank=True, on_delete=models.CASCADE, related_name="inbound_messages"
    )
    # The number or address it came from (normalised); how an unknown sender's conversation is found.
    sender = models.CharField(max_length=254)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    provider = models.CharField(max_length=20)
    provider_message_id = models.CharField(max_length=120)
    # An e-mail's subject (trimmed to 200 characters); "" for texts. A database default, so a release
    # still running while the column is added keeps writing messages without it.
    subject = models.CharField(max_length=200, blank=True, default="", db_default="")
    body = models.TextField(max_length=4000)
    # When she sent it, as the provider says (None if it does not), and when it reached us.
    sent_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField()
    # The note flagger found health, money, numbers… in it: previews and notifications mask it.
    is_sensitive = models.BooleanField(default=False)
    # Her consent to this channel was not granted when it came (withdrawn, or never given).
    not_to_be_answered = models.BooleanField(default=False)
    # STOP, ARRÊT…: it withdrew her consent to the channel.
    is_opt_out = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "provider_message_id"], name="inbound_message_once"),
        ]
        indexes = [
            models.Index(fields=["customer", "store", "-received_at"], name="inbound_customer_store"),
            models.Index(
                fields=["store", "sender", "-received_at"],
                name="inbound_unknown_sender",
                condition=Q(customer__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        who = f"customer {self.customer_id}" if self.customer_id else "an unknown sender"
        return f"{self.channel} message {self.pk} from {who}"
