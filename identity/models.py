from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class CustomerMerge(models.Model):
    """One profile folded into another: who did it and why, and exactly which rows moved, so that
    it can be undone without touching anything added to the surviving profile since."""

    class Kind(models.TextChoices):
        AUTOMATIC = "automatic", _("Automatic (shared identifier)")
        REVIEWED = "reviewed", _("Reviewed duplicate")
        MANUAL = "manual", _("By staff")

    survivor = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="merges_received"
    )
    merged = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="merges_made")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    reason = models.CharField(max_length=300)
    # What made them one person: identifier kinds shared, the review's evidence. No values.
    evidence = models.JSONField(default=dict, blank=True)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_kind = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    # {table: [row ids]} moved to the survivor, and the identifiers that stopped being primary.
    moved = models.JSONField(default=dict)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    undo_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=~Q(survivor=F("merged")), name="merge_two_profiles"),
            # A profile is merged away once at a time: undo the merge before merging it again.
            models.UniqueConstraint(
                fields=["merged"], condition=Q(undone_at__isnull=True), name="merge_one_active_per_profile"
            ),
        ]
        indexes = [
            models.Index(fields=["survivor", "-created_at"], name="merge_survivor"),
            models.Index(fields=["-created_at"], name="merge_recent"),
            models.Index(fields=["undone_at"], name="merge_undone", condition=Q(undone_at__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"customer {self.merged_id} into {self.survivor_id}"


class DuplicateCandidate(models.Model):
    """Two profiles that look like one person (similar name, plus a similar phone or e-mail, or the
    same birthday), waiting for a manager to merge them or tell them apart."""

    class Status(models.TextChoices):
        OPEN = "open", "To review"
        MERGED = "merged", "Merged"
        DISTINCT = "distinct", "Not the same person"

    # The lower id first, so a pair is stored once.
    first = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    # Which signals matched and how strongly ({"name": 0.91, "phone": "same last 7 digits"}).
    evidence = models.JSONField(default=dict)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    found_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    merge = models.ForeignKey(
        CustomerMerge, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="duplicate_pair_unique"),
            models.CheckConstraint(condition=Q(first__lt=F("second")), name="duplicate_pair_ordered"),
        ]
        indexes = [
            models.Index(fields=["-score"], name="duplicate_open", condition=Q(status="open")),
            models.Index(fields=["second"], name="duplicate_second"),
        ]

    def __str__(self) -> str:
        return f"customers {self.first_id} and {self.second_id} ({self.status})"
