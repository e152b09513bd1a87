"""Looks, wishlists and appointments: what an associate prepares for one customer."""

import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField, RangeOperators
from django.db import models
from django.db.models import Func, Q
from django.utils.translation import gettext_lazy as _

from outreach.models.messages import Channel


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
