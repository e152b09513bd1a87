from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Note(models.Model):
    """What an associate wants colleagues to know. Every new note waits for the store manager's
    review; what the sensitive-content check found is kept with it (``flagged_topics``)."""

    class Review(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        APPROVED = "approved", _("Approved")
        REDACTED = "redacted", _("Redacted")

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="notes")
    store = models.ForeignKey(
        "stores.Store", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(max_length=2000)
    # Topics the sensitive-content check found in the body (e.g. ["health", "phone_number"]).
    flagged_topics = ArrayField(models.CharField(max_length=24), default=list, blank=True)
    review = models.CharField(max_length=16, choices=Review.choices, default=Review.PENDING)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    # Counts changes, so a decision made on a page that is out of date can be refused.
    version = models.PositiveIntegerField(db_default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["customer", "-created_at"], name="note_customer_time"),
            models.Index(
                fields=["store", "-created_at"], name="note_review_queue", condition=Q(review="pending")
            ),
            models.Index(fields=["store", "-created_at"], name="note_store_time"),
        ]

    def __str__(self) -> str:
        return f"note {self.pk} on customer {self.customer_id}"


class NoteRevision(models.Model):
    """A note's text as it was before a manager redacted it, and why she did. Managers see these;
    the customer sees the note's current text only."""

    note = models.ForeignKey(Note, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField(max_length=2000)
    flagged_topics = ArrayField(models.CharField(max_length=24), default=list, blank=True)
    replaced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    replaced_at = models.DateTimeField()
    reason = models.CharField(max_length=300)

    class Meta:
        ordering = ["-replaced_at"]

    def __str__(self) -> str:
        return f"revision of note {self.note_id} at {self.replaced_at:%Y-%m-%d %H:%M}"


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
            models.Index(
                fields=["store", "done_at"], name="follow_up_store_done", condition=Q(status="done")
            ),
        ]

    def __str__(self) -> str:
        return f"follow-up {self.pk} due {self.due_on}"


class Interaction(models.Model):
    """A contact with the customer: a visit, a call, a message."""

    class Kind(models.TextChoices):
        VISIT = "visit", _("Visit")
        CALL = "call", _("Call")
        MESSAGE = "message", _("Message")

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
        indexes = [
            models.Index(fields=["customer", "-occurred_at"], name="interaction_customer_time"),
            models.Index(fields=["store", "occurred_at"], name="interaction_store_time"),  # the dashboard
        ]

    def __str__(self) -> str:
        return f"{self.kind} with customer {self.customer_id}"
