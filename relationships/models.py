from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q


class Note(models.Model):
    """What an associate wants colleagues to know. Notes naming sensitive topics are flagged for review."""

    class Review(models.TextChoices):
        NOT_NEEDED = "not_needed", "No review needed"
        PENDING = "pending", "Waiting for review"
        REVIEWED = "reviewed", "Reviewed"

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="notes")
    store = models.ForeignKey(
        "stores.Store", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(max_length=2000)
    # Topics the sensitive-content check found and the author confirmed anyway (e.g. ["health"]).
    flagged_topics = ArrayField(models.CharField(max_length=24), default=list, blank=True)
    review = models.CharField(max_length=16, choices=Review.choices, default=Review.NOT_NEEDED)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["customer", "-created_at"], name="note_customer_time"),
            models.Index(fields=["store", "review"], name="note_review_queue", condition=Q(review="pending")),
        ]

    def __str__(self) -> str:
        return f"note {self.pk} on customer {self.customer_id}"


class FollowUp(models.Model):
    """A promise to get back to a customer on a given day."""

    class Status(models.TextChoices):
        OPEN = "open", "To do"
        DONE = "done", "Done"

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="follow_ups")
    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="+")
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follow_ups"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField(max_length=140)
    due_on = models.DateField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open", done_at__isnull=True) | Q(status="done", done_at__isnull=False),
                name="follow_up_done_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["assigned_to", "due_on"], name="follow_up_due", condition=Q(status="open")),
            models.Index(fields=["customer", "-created_at"], name="follow_up_customer"),
        ]

    def __str__(self) -> str:
        return f"follow-up {self.pk} due {self.due_on}"


class Interaction(models.Model):
    """A contact with the customer: a visit, a call, a message."""

    class Kind(models.TextChoices):
        VISIT = "visit", "Visit"
        CALL = "call", "Call"
        MESSAGE = "message", "Message"

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="interactions")
    store = models.ForeignKey(
        "stores.Store", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    associate = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=8, choices=Kind.choices)
    occurred_at = models.DateTimeField()
    summary = models.CharField(max_length=280, blank=True)

    class Meta:
        indexes = [models.Index(fields=["customer", "-occurred_at"], name="interaction_customer_time")]

    def __str__(self) -> str:
        return f"{self.kind} with customer {self.customer_id}"
