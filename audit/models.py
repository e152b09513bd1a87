from django.conf import settings
from django.db import models

from common.request_id import current_request_id


class AuditEvent(models.Model):
    """Who did what to whose data, when. Holds ids and field names, never personal values.

    Append-only: the database refuses to change or delete an event (see the migration that adds the
    trigger), except erasure taking keys out of ``detail``. The customer is her pseudonymous id.
    """

    occurred_at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # "staff", "customer" (herself, in the privacy centre), "integration:<name>" or "system".
    actor_kind = models.CharField(max_length=64)
    action = models.CharField(max_length=64)
    customer = models.ForeignKey(
        "customers.Customer",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audit_events",
    )
    store = models.ForeignKey(
        "stores.Store", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    detail = models.JSONField(default=dict, blank=True)
    # The request that wrote it (X-Request-ID); '' for commands and nightly jobs.
    request_id = models.CharField(max_length=64, blank=True, default=current_request_id, db_default="")

    class Meta:
        indexes = [
            models.Index(fields=["customer", "-occurred_at"], name="audit_customer_time"),
            models.Index(fields=["actor", "-occurred_at"], name="audit_actor_time"),
            models.Index(fields=["store", "-occurred_at"], name="audit_store_time"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.actor_kind} {self.action}"
