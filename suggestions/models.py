"""Suggestions computed for a customer, the runs that computed them, and what associates told us.

A customer's current suggestions are the rows in ``Suggestion`` for her: a refresh replaces them
(delete and insert) inside one transaction per batch of customers, so a card, which reads them in
one query, sees either the old set or the new one, never a mix. Only customers who currently grant
the ``suggestions`` purpose have any.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q


class SuggestionList(models.TextChoices):
    BUY_AGAIN = "buy_again", "Buy again"
    DISCOVER = "discover", "Discover"


class Reason(models.TextChoices):
    """Why a product is suggested (the engine's ``REASON_NAMES``); ``reason_data`` holds the details."""

    BOUGHT_BEFORE = "bought_before", "Time to buy again"
    GOES_WITH = "goes_with", "Goes with something she bought"
    BRAND_YOU_LOVE = "brand_you_love", "From a brand she loves"
    NEW_FROM_BRAND = "new_from_brand", "New from a brand she loves"
    CATEGORY_YOU_LIKE = "category_you_like", "In a category she likes"
    POPULAR_WITH_SIMILAR = "popular_with_similar", "Popular with customers like her"
    IN_STOCK = "in_stock", "Back in stock in her size"
    IN_YOUR_SIZE = "in_your_size", "In stock in her size"
    POPULAR_AT_STORE = "popular_at_store", "A best seller at her store"
    IN_SEASON = "in_season", "Popular at this time of year"
    LIKED_BY_PEERS = "liked_by_peers", "A favourite of clients with her tastes"
    POPULAR = "popular", "Popular now"


class SuggestionRun(models.Model):
    """One refresh, full (nightly, every consenting customer) or incremental (recent changes only)."""

    class Kind(models.TextChoices):
        FULL = "full", "Full"
        INCREMENTAL = "incremental", "Incremental"

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=12, choices=Kind.choices)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.RUNNING)
    model_version = models.CharField(max_length=40)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    # The data the run sees: orders and feedback up to this moment.
    as_of = models.DateTimeField()
    total_batches = models.PositiveIntegerField(default=0)
    done_batches = models.PositiveIntegerField(default=0)
    customers = models.PositiveIntegerField(default=0)
    suggestions = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    # When the run's waiting batches were last sent to the workers (planned, or sent again by the
    # watchdog): a stalled run is one quiet since then as well as since its last batch finished.
    batches_sent_at = models.DateTimeField(null=True, blank=True)
    # The fitted population model (numpy arrays, ``suggestions.stored.dump_model``), shared by every
    # worker that computes a batch of this run; incremental runs reuse the newest full run's.
    model = models.BinaryField(null=True, editable=False)

    class Meta:
        indexes = [models.Index(fields=["-started_at"], name="suggestion_run_recent")]

    def __str__(self) -> str:
        return f"{self.kind} run {self.pk} ({self.status})"


class SuggestionBatch(models.Model):
    """A slice of a run's customers (ids in [first_customer_id, last_customer_id]); done once."""

    run = models.ForeignKey(SuggestionRun, on_delete=models.CASCADE, related_name="batches")
    number = models.PositiveIntegerField()
    first_customer_id = models.BigIntegerField()
    last_customer_id = models.BigIntegerField()
    done_at = models.DateTimeField(null=True, blank=True)
    customers = models.PositiveIntegerField(default=0)
    suggestions = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "number"], name="suggestion_batch_unique"),
        ]
        indexes = [
            models.Index(fields=["run"], name="suggestion_batch_pending", condition=Q(done_at__isnull=True))
        ]

    def __str__(self) -> str:
        return f"batch {self.number} of run {self.run_id}"


class Suggestion(models.Model):
    """One product in one of her lists. Derived data, rewritten nightly by COPY, so kept cheap to write:
    no reference is checked by a database constraint (a trigger call a row, each a look-up and a
    lock; the customer's check alone took 0.7 s of a batch's commit at 1M customers). Django still
    cascades deletes through the ORM, the card reads products with an inner join, and a refresh
    writes a customer's rows only while it holds a lock on her consent row, so she exists until it
    commits (suggestions.replace). Only the unique (customer, list, rank) index is maintained."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    list = models.CharField(max_length=10, choices=SuggestionList.choices)
    rank = models.PositiveSmallIntegerField()
    score = models.FloatField()
    reason = models.CharField(max_length=20, choices=Reason.choices)
    # What the sentence names: the product that explains it ("goes with the blazer you bought in
    # May"), when she bought that, the brand/category id or size code, how often she bought it.
    anchor_product = models.ForeignKey(
        "catalog.Product",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    anchor_on = models.DateField(null=True, blank=True)
    reason_value = models.IntegerField(null=True, blank=True)
    times_bought = models.PositiveSmallIntegerField(default=0)
    model_version = models.CharField(max_length=40)
    run = models.ForeignKey(
        SuggestionRun,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["customer", "list", "rank"], name="suggestion_rank_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.list} #{self.rank} for customer {self.customer_id}"


class Feedback(models.Model):
    """What happened to a suggestion on the card: shown to her, liked, or dismissed."""

    class Kind(models.TextChoices):
        SHOWN = "shown", "Shown to her"
        LIKED = "liked", "She liked it"
        DISMISSED = "dismissed", "Not for her"

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    list = models.CharField(max_length=10, choices=SuggestionList.choices, blank=True)
    reason = models.CharField(max_length=20, choices=Reason.choices, blank=True)
    model_version = models.CharField(max_length=40, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    store = models.ForeignKey("stores.Store", null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["customer", "kind", "-at"], name="feedback_customer_kind"),
            models.Index(fields=["-at"], name="feedback_recent"),
            models.Index(fields=["store", "kind", "at"], name="feedback_store_kind_time"),  # the dashboard
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.product_id} for customer {self.customer_id}"


class ProductCycle(models.Model):
    """How a product is bought again, as the last full refresh settled it: the retailer's word
    (``catalog.selectors.said_replenishment``) where there is one, else what the sales teach
    (``suggestions.engine.replenishment``). Population statistics only: nothing of any one customer.
    Read by the card ("time for a new one?") and by whatever plans reminders."""

    product = models.OneToOneField(
        "catalog.Product", primary_key=True, on_delete=models.CASCADE, related_name="cycle"
    )
    replenishable = models.BooleanField(help_text="Buy again may suggest it.")
    said = models.BooleanField(help_text="The retailer said whether it is bought again (not learnt).")
    cycle_days = models.FloatField(
        null=True, help_text="How long it lasts: as said, else the typical gap between two purchases."
    )
    repeat_share = models.FloatField(help_text="Learnt: share of its returning buyers who bought it again.")
    interval_days = models.FloatField(null=True, help_text="Learnt: typical days between two purchases.")
    buyers = models.PositiveIntegerField(help_text="Learnt from this many buyers who came back.")
    as_of = models.DateTimeField()

    def __str__(self) -> str:
        return f"cycle of product {self.product_id}"
