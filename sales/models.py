from django.contrib.postgres.indexes import BrinIndex
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    STORE = "store", "In store"
    WEB = "web", "Website"
    APP = "app", "App"


class Order(models.Model):
    """A purchase from any channel. ``(channel, external_id)`` is the source system's key."""

    channel = models.CharField(max_length=8, choices=Channel.choices)
    external_id = models.CharField(max_length=64)
    customer = models.ForeignKey(
        "customers.Customer",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
        db_index=False,
    )
    store = models.ForeignKey(
        "stores.Store", null=True, blank=True, on_delete=models.PROTECT, related_name="orders", db_index=False
    )
    placed_at = models.DateTimeField()
    currency = models.CharField(max_length=3)
    total_amount = models.DecimalField(max_digits=12, decimal_places=2)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["channel", "external_id"], name="order_unique_external_id"),
            models.CheckConstraint(condition=Q(channel__in=Channel.values), name="order_channel_valid"),
            models.CheckConstraint(
                condition=~Q(channel=Channel.STORE) | Q(store__isnull=False),
                name="order_store_sale_has_store",
            ),
        ]
        indexes = [
            models.Index(fields=["customer", "-placed_at"], name="order_customer_time"),
            models.Index(fields=["store", "-placed_at"], name="order_store_time"),
            # "Orders created since": the incremental suggestion refresh every few minutes. Rows are
            # appended in created_at order, so a BRIN index (a few pages) finds the newest blocks.
            BrinIndex(fields=["created_at"], name="order_created_brin"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} order {self.external_id}"


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines", db_index=False)
    line_number = models.PositiveSmallIntegerField()
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="order_lines")
    variant = models.ForeignKey(
        "catalog.ProductVariant",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="order_lines",
    )
    quantity = models.PositiveIntegerField()
    unit_price = models.DecimalField(max_digits=10, decimal_places=2)
    amount = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["order", "line_number"]
        constraints = [
            models.UniqueConstraint(fields=["order", "line_number"], name="order_line_unique_number"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="order_line_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"line {self.line_number} of order {self.order_id}"


class Return(models.Model):
    """Goods brought or sent back; each line points at the order line it returns."""

    channel = models.CharField(max_length=8, choices=Channel.choices)
    external_id = models.CharField(max_length=64)
    order = models.ForeignKey(Order, null=True, blank=True, on_delete=models.PROTECT, related_name="returns")
    customer = models.ForeignKey(
        "customers.Customer",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="returns",
        db_index=False,
    )
    store = models.ForeignKey(
        "stores.Store", null=True, blank=True, on_delete=models.PROTECT, related_name="returns"
    )
    returned_at = models.DateTimeField()
    reason = models.CharField(max_length=120, blank=True)
    refund_amount = models.DecimalField(max_digits=12, decimal_places=2)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["channel", "external_id"], name="return_unique_external_id"),
        ]
        indexes = [models.Index(fields=["customer", "-returned_at"], name="return_customer_time")]

    def __str__(self) -> str:
        return f"return {self.external_id}"


class ReturnLine(models.Model):
    return_record = models.ForeignKey(Return, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="return_lines")
    quantity = models.PositiveIntegerField()
    amount = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="return_line_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × order line {self.order_line_id}"


class ServiceEpisode(models.Model):
    """Alterations, repairs, appointments and other visits that are not a sale."""

    class Kind(models.TextChoices):
        ALTERATION = "alteration", _("Alteration")
        REPAIR = "repair", _("Repair")
        APPOINTMENT = "appointment", _("Styling appointment")
        VISIT = "visit", _("Visit")

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    external_id = models.CharField(max_length=64, unique=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    # NULL once the customer is erased: the episode stays as an anonymous record of work done.
    customer = models.ForeignKey(
        "customers.Customer",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="service_episodes",
        db_index=False,
    )
    store = models.ForeignKey(
        "stores.Store",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="service_episodes",
    )
    product = models.ForeignKey(
        "catalog.Product",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="service_episodes",
    )
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    summary = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | Q(closed_at__gte=models.F("opened_at")),
                name="service_closed_after_opened",
            ),
        ]
        indexes = [models.Index(fields=["customer", "-opened_at"], name="service_customer_time")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.external_id}"
