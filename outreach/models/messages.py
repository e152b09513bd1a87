"""Messages to a customer and the templates they start from."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consent.models import PurposeCode


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("Text message")
    # Only to answer her, within WHATSAPP_ANSWER_WINDOW_HOURS of her last WhatsApp message
    # (``outreach.rules.check_whatsapp_window``).
    WHATSAPP = "whatsapp", _("WhatsApp")


# The consent each channel needs, checked when a message is written and again when it leaves.
CHANNEL_PURPOSE = {
    Channel.EMAIL: PurposeCode.CONTACT_EMAIL,
    Channel.SMS: PurposeCode.CONTACT_SMS,
    Channel.WHATSAPP: PurposeCode.CONTACT_WHATSAPP,
}


class Use(models.TextChoices):
    """What a message is for. Outreach and shared looks count towards the weekly cap; messages about
    an appointment she booked do not (she asked for them), but need her consent all the same."""

    OUTREACH = "outreach", _("Outreach")
    LOOK = "look", _("Sharing a look")
    APPOINTMENT_BOOKED = "appt_booked", _("Appointment confirmation")
    APPOINTMENT_MOVED = "appt_moved", _("Appointment moved")
    APPOINTMENT_CANCELLED = "appt_cancelled", _("Appointment cancelled")
    APPOINTMENT_REMINDER = "appt_reminder", _("Appointment reminder")
    # An answer to her own message within CONVERSATION_REPLY_WINDOW_HOURS: not capped (she wrote).
    # Written later than that, it is outreach again (``outreach.messaging.queue_message``).
    REPLY = "reply", _("Answer to her message")


CAPPED_USES = (Use.OUTREACH, Use.LOOK)
# What counts as a contact by its sender when it leaves (the dashboard, "last contacted").
CONTACT_USES = (*CAPPED_USES, Use.REPLY)


class MessageTemplate(models.Model):
    """A starting text with merge fields such as ``{first_name}``; managers edit them per language.

    A template of a store overrides the chain's template of the same use and language for that
    store's messages about appointments; for outreach, associates choose among both.
    """

    store = models.ForeignKey(
        "stores.Store", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    use = models.CharField(max_length=16, choices=Use.choices, default=Use.OUTREACH)
    language = models.CharField(max_length=12, choices=settings.LANGUAGES, default="en")
    name = models.CharField(max_length=80)
    subject = models.CharField(max_length=150, blank=True, help_text="E-mail only.")
    body = models.TextField(max_length=1000)
    is_active = models.BooleanField(default=True)
    version = models.PositiveIntegerField(db_default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["use", "language", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["store", "use", "language", "name"],
                name="message_template_unique",
                nulls_distinct=False,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.language})"


class MessageQuerySet(models.QuerySet["Message"]):
    def pending(self) -> "MessageQuerySet":
        """Not gone yet: waiting for its time, or between tries."""
        return self.filter(status__in=[Message.Status.QUEUED, Message.Status.RETRYING])

    def cancel(self, reason: str) -> int:
        """Stop those that have not gone yet, saying why (consent withdrawn, the appointment moved)."""
        return self.pending().update(
            status=Message.Status.CANCELLED, finished_at=timezone.now(), last_error=reason
        )


class Message(models.Model):
    """One message to one customer. Written once by a service, then moved along by delivery."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to be sent")
        RETRYING = "retrying", _("Sending failed, trying again")
        SENT = "sent", _("Sent")
        # What the provider reported later, by a status callback (``outreach.receipts``).
        DELIVERED = "delivered", _("Delivered")
        READ = "read", _("Read")
        FAILED = "failed", _("Not delivered")
        CANCELLED = "cancelled", _("Not sent")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="messages")
    store = models.ForeignKey(
        "stores.Store", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    use = models.CharField(max_length=16, choices=Use.choices)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    template = models.ForeignKey(
        MessageTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject = models.CharField(max_length=150, blank=True)
    body = models.TextField(max_length=1600)
    look = models.ForeignKey(
        "Look", null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    appointment = models.ForeignKey(
        "Appointment", null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    # Not before this time: the end of quiet hours, or the next try after a failure.
    send_after = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    # The provider's id for it, and which provider ("sms", "whatsapp"): status callbacks name both.
    provider_reference = models.CharField(max_length=120, blank=True)
    provider = models.CharField(max_length=20, blank=True, db_default="")
    # The provider's error code when it reports the message failed after taking it.
    provider_error = models.CharField(max_length=60, blank=True, db_default="")
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)  # failed or cancelled
    # The contact it counts as (dashboard, "last contacted"), made when an outreach message leaves.
    interaction = models.OneToOneField(
        "relationships.Interaction", null=True, blank=True, on_delete=models.SET_NULL, related_name="message"
    )
    created_at = models.DateTimeField()

    objects = MessageQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(status="sent", sent_at__isnull=False) | ~Q(status="sent"),
                name="message_sent_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["customer", "-created_at"], name="message_customer_time"),
            models.Index(
                fields=["send_after"], name="message_pending", condition=Q(status__in=["queued", "retrying"])
            ),
            models.Index(
                fields=["sent_by", "-created_at"], name="message_failed", condition=Q(status="failed")
            ),
            # Status callbacks find a message by the provider's id for it (migration 0004, concurrently).
            models.Index(
                fields=["provider", "provider_reference"],
                name="message_provider_reference",
                condition=~Q(provider_reference=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} message {self.pk} to customer {self.customer_id}"

    @property
    def is_pending(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RETRYING)

    @property
    def has_left(self) -> bool:
        """Taken by the provider: sent, and perhaps delivered or read since."""
        return self.status in (self.Status.SENT, self.Status.DELIVERED, self.Status.READ)
