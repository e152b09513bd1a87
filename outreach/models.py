"""What associates send and share: messages, looks, wishlists and appointments.

Every row hangs off one customer and goes with her: a merge moves it, an erasure deletes it.
"""

import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField, RangeOperators
from django.db import models
from django.db.models import Func, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consent.models import PurposeCode


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("Text message")


# The consent each channel needs, checked when a message is written and again when it leaves.
CHANNEL_PURPOSE = {Channel.EMAIL: PurposeCode.CONTACT_EMAIL, Channel.SMS: PurposeCode.CONTACT_SMS}


class Use(models.TextChoices):
    """What a message is for. Outreach and shared looks count towards the weekly cap; messages about
    an appointment she booked do not (she asked for them), but need her consent all the same."""

    OUTREACH = "outreach", _("Outreach")
    LOOK = "look", _("Sharing a look")
    APPOINTMENT_BOOKED = "appt_booked", _("Appointment confirmation")
    APPOINTMENT_MOVED = "appt_moved", _("Appointment moved")
    APPOINTMENT_CANCELLED = "appt_cancelled", _("Appointment cancelled")
    APPOINTMENT_REMINDER = "appt_reminder", _("Appointment reminder")


CAPPED_USES = (Use.OUTREACH, Use.LOOK)


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
    provider_reference = models.CharField(max_length=120, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
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
        ]

    def __str__(self) -> str:
        return f"{self.channel} message {self.pk} to customer {self.customer_id}"

    @property
    def is_pending(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RETRYING)


class Look(models.Model):
    """A few products an associate put together for one customer, shared by a signed link."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="looks")
    store = models.ForeignKey(
        "stores.Store", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField(max_length=80)
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    first_opened_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["customer", "-created_at"], name="look_customer_time")]

    def __str__(self) -> str:
        return f"look {self.pk} for customer {self.customer_id}"


class LookItem(models.Model):
    look = models.ForeignKey(Look, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)
    from_suggestion = models.BooleanField(default=False)
    liked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["look", "product"], name="look_item_unique")]

    def __str__(self) -> str:
        return f"product {self.product_id} in look {self.look_id}"


class WishlistItem(models.Model):
    class AddedVia(models.TextChoices):
        ASSOCIATE = "associate", "Added by an associate"
        CUSTOMER = "customer", "Added by her"

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="wishlist")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+")
    size = models.CharField(max_length=20, blank=True)
    added_via = models.CharField(max_length=10, choices=AddedVia.choices)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    store = models.ForeignKey(
        "stores.Store", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["customer", "product"], name="wishlist_item_unique")]

    def __str__(self) -> str:
        return f"product {self.product_id} on customer {self.customer_id}'s wishlist"


class TsTzRange(Func):
    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


class Appointment(models.Model):
    class Purpose(models.TextChoices):
        STYLING = "styling", _("Styling session")
        FITTING = "fitting", _("Fitting")
        ALTERATIONS = "alterations", _("Alterations")
        COLLECTION = "collection", _("Collecting an order")
        EVENT = "event", _("Private event")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        BOOKED = "booked", "Booked"
        CANCELLED = "cancelled", "Cancelled"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="appointments")
    store = models.ForeignKey("stores.Store", on_delete=models.PROTECT, related_name="+")
    associate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="appointments"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    purpose = models.CharField(max_length=16, choices=Purpose.choices)
    note = models.CharField(max_length=280, blank=True)
    products = models.ManyToManyField("catalog.Product", blank=True, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.BOOKED)
    # Where her confirmation and reminder go ("" when she is not to be, or cannot be, messaged).
    notify_by = models.CharField(max_length=8, choices=Channel.choices, blank=True)
    reminder_queued_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    version = models.PositiveIntegerField(db_default=1)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="appointment_has_length"
            ),
            # One associate, one customer at a time (btree_gist, migration 0001).
            ExclusionConstraint(
                name="appointment_associate_free",
                expressions=[
                    ("associate", RangeOperators.EQUAL),
                    (TsTzRange("starts_at", "ends_at"), RangeOperators.OVERLAPS),
                ],
                condition=Q(status="booked"),
            ),
        ]
        indexes = [
            models.Index(fields=["store", "starts_at"], name="appointment_store_day"),
            models.Index(fields=["customer", "starts_at"], name="appointment_customer"),
            models.Index(
                fields=["starts_at"],
                name="appointment_reminder_due",
                condition=Q(status="booked", reminder_queued_at__isnull=True) & ~Q(notify_by=""),
            ),
        ]

    def __str__(self) -> str:
        return f"appointment {self.pk} at {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def duration(self) -> timedelta:
        return self.ends_at - self.starts_at
