"""Occasions: a reason to contact one customer now, made by a rule, owned by her associate.

A rule (``OccasionRule``, one per kind, switched on and tuned in the admin) makes occasions nightly
and on events (``occasions.generate``); an occasion names her, the store, the kind and a key that
makes it once (a birthday once a year, a thank-you once an order), who owns it (her associate at the
store, else the store's queue), when it is due and when it expires. Staff close it: done (a message
sent, a call logged, or just done), snoozed to a later day, or dismissed with a reason.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    THANK_YOU = "thank_you", _("Thank-you after a purchase")
    BIRTHDAY = "birthday", _("Birthday")
    ANNIVERSARY = "anniversary", _("An important date")
    AFTER_APPOINTMENT = "after_appt", _("After an appointment")
    REPLENISH = "replenish", _("Time for a new one")
    BACK_IN_STOCK = "back_in_stock", _("Back in stock in her size")
    LAPSING = "lapsing", _("Drifting away")
    KEEP_IN_TOUCH = "keep_in_touch", _("Keep in touch")
    WELCOME = "welcome", _("Welcome")
    NEVER_BOUGHT = "never_bought", _("Opted in, never bought")
    CAMPAIGN = "campaign", _("Campaign")


class TopTiers(models.TextChoices):
    """Whom *keep in touch* watches: a store's private clients (its top 1%), or its top 10%."""

    PRIVATE_CLIENT = "private_client", _("Private clients")
    PREFERRED = "preferred", _("Private and preferred clients")


class OccasionRule(models.Model):
    """How one kind of occasion is made. What each number means depends on the kind (``help_text``)."""

    kind = models.CharField(max_length=16, choices=Kind.choices, unique=True)
    is_active = models.BooleanField(default=True)
    min_amount = models.DecimalField(
        max_digits=10, decimal_places=2, null=True, blank=True,
        help_text="Thank-you: a purchase of at least this much (in the store's currency).",
    )  # fmt: skip
    days_before = models.PositiveSmallIntegerField(
        default=7, help_text="Birthday, important date, time for a new one: this many days ahead."
    )
    after_days = models.PositiveSmallIntegerField(
        default=1,
        help_text="Thank-you, after an appointment, welcome: within this many days of it. "
        "Opted in, never bought: this many days after opting in. "
        "Keep in touch: no contact for this many days (and again every this many days of silence).",
    )
    lapse_factor = models.DecimalField(
        max_digits=4, decimal_places=1, default=3,
        help_text="Drifting away: no visit for this many times her usual interval between visits.",
    )  # fmt: skip
    tier = models.CharField(
        max_length=16, choices=TopTiers.choices, default=TopTiers.PRIVATE_CLIENT,
        help_text="Keep in touch: the clients of this standing at the store.",
    )  # fmt: skip
    expires_after_days = models.PositiveSmallIntegerField(
        default=7, help_text="An occasion nobody took up goes after this many days past its day."
    )
    template = models.ForeignKey(
        "outreach.MessageTemplate", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="The message suggested for it (in her language when there is one of that name).",
    )  # fmt: skip
    version = models.PositiveIntegerField(db_default=1, default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind"]

    def __str__(self) -> str:
        return str(Kind(self.kind).label)


class Campaign(models.Model):
    """Head office's or a manager's campaign: a segment of the stores' clients, split into each store's
    list and each associate's occasions (``occasions.campaigns``)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Running")
        PAUSED = "paused", _("Paused")
        ENDED = "ended", _("Ended")

    name = models.CharField(max_length=120)
    stores = models.ManyToManyField("stores.Store", related_name="+")
    # The segment (``occasions.campaigns.Segment``'s fields): tier, contact, last visit, category,
    # brand, wishlist product.
    segment = models.JSONField(default=dict, blank=True)
    template = models.ForeignKey(
        "outreach.MessageTemplate", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    channel = models.CharField(max_length=8, choices=[("email", _("E-mail")), ("sms", _("Text message"))])
    starts_on = models.DateField()
    ends_on = models.DateField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DRAFT)
    # What the split found: included, and left out by reason (counts, never names).
    counts = models.JSONField(default=dict, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    launched_at = models.DateTimeField(null=True, blank=True)
    # Its clients are those of an uploaded list (``CampaignEntry``), narrowed by the segment.
    from_list = models.BooleanField(default=False)
    # What the upload found, per row by line number and reason (never the ids themselves).
    list_report = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="campaign_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CampaignEntry(models.Model):
    """One client of a campaign's uploaded list, at the line of the file that named her."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="entries")
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    line = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "customer"], name="campaign_entry_once")]

    def __str__(self) -> str:
        return f"customer {self.customer_id} on campaign {self.campaign_id}'s list"


class Occasion(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("To do")
        DONE = "done", _("Done")
        DISMISSED = "dismissed", _("Dismissed")
        EXPIRED = "expired", _("Expired")

    class Outcome(models.TextChoices):
        MESSAGE = "message", _("Messaged her")
        CALL = "call", _("Called her")
        OTHER = "other", _("Done")

    class Dismissal(models.TextChoices):
        NOT_RELEVANT = "not_relevant", _("Not relevant for her")
        ALREADY = "already", _("Already in touch")
        NOT_NOW = "not_now", _("She does not want to hear from us now")
        OTHER = "other", _("Another reason")

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="occasions")
    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # What makes it once: "order:123", "birthday:2027", "product:45:2026-11-02"…
    key = models.CharField(max_length=80)
    # Her associate at the store when it was made; None: the store's queue.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    due_on = models.DateField()
    expires_on = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    snoozed_until = models.DateField(null=True, blank=True)
    product = models.ForeignKey(
        "catalog.Product", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # What the reason's sentence needs (an amount, a date's label, an interval): never free text of hers.
    detail = models.JSONField(default=dict, blank=True)
    template = models.ForeignKey(
        "outreach.MessageTemplate", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.CASCADE, related_name="occasions"
    )
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    dismissal = models.CharField(max_length=16, choices=Dismissal.choices, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["customer", "kind", "key"], name="occasion_once"),
            models.CheckConstraint(
                condition=Q(expires_on__gte=models.F("due_on")), name="occasion_expires_after_due"
            ),
        ]
        indexes = [
            # My day: hers and the queue's by due day, and everyone's at the store by due day.
            models.Index(
                fields=["store", "owner", "due_on"], name="occasion_open", condition=Q(status="open")
            ),
            models.Index(fields=["store", "due_on"], name="occasion_open_due", condition=Q(status="open")),
            models.Index(fields=["store", "closed_at"], name="occasion_closed", condition=~Q(status="open")),
            # The dashboard: each associate's occasions due in a period, whatever became of them.
            models.Index(fields=["store", "due_on"], name="occasion_due"),
            models.Index(fields=["expires_on"], name="occasion_expiry", condition=Q(status="open")),
        ]

    def __str__(self) -> str:
        return f"{self.kind} occasion {self.pk} of customer {self.customer_id}"


class OccasionRun(models.Model):
    """One night's generation of one rule: how far through the customers it got, so a run cut short
    (a deploy, a time limit) goes on from there rather than from the start."""

    kind = models.CharField(max_length=16, choices=Kind.choices)
    day = models.DateField()
    last_customer_id = models.BigIntegerField(default=0)
    made = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "day"], name="occasion_run_once")]

    def __str__(self) -> str:
        return f"{self.kind} on {self.day}"
