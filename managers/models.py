"""The store dashboard's rollups: its figures per store and local calendar day, kept by
``managers.rollups`` (the definitions are in its docstring). Counts per store and per associate
(staff), no customer: nothing here is a customer's personal data."""

from django.conf import settings
from django.db import models


class StoreDay(models.Model):
    """A store's additive figures for one of its local calendar days: a period's figure is the sum
    of its days. Rebuilt whole (deleted and inserted) for a range of days by ``rollups.rebuild``;
    every store has a row for every day rebuilt, zeros included."""

    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    visits = models.PositiveIntegerField(default=0)
    visits_consenting = models.PositiveIntegerField(default=0)
    opt_ins = models.PositiveIntegerField(default=0)
    shown = models.PositiveIntegerField(default=0)
    liked = models.PositiveIntegerField(default=0)
    bought = models.PositiveIntegerField(default=0)
    suggestion_sales = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    outreach_orders = models.PositiveIntegerField(default=0)
    outreach_sales = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["store", "day"], name="store_day_unique")]
        indexes = [models.Index(fields=["day"], name="store_day_day")]

    def __str__(self) -> str:
        return f"store {self.store_id} on {self.day}"


class AssociateDay(models.Model):
    """What one associate did for a store on one of its days (rows only where she did something)."""

    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    associate = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    outreach = models.PositiveIntegerField(default=0)
    follow_ups_done = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["store", "day", "associate"], name="associate_day_unique")
        ]
        indexes = [models.Index(fields=["day"], name="associate_day_day")]

    def __str__(self) -> str:
        return f"associate {self.associate_id} in store {self.store_id} on {self.day}"


class StoreSnapshot(models.Model):
    """A store's standing figures as at the end of one of its days, taken by the nightly pass
    (``rollups.snapshot``): a period shows the snapshot of its last day (or the latest before it)."""

    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    customers = models.PositiveIntegerField(default=0)
    consents = models.JSONField(default=dict)  # purpose code -> customers granting it
    private_clients = models.PositiveIntegerField(default=0)
    private_clients_assigned = models.PositiveIntegerField(default=0)
    private_clients_contacted = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["store", "day"], name="store_snapshot_unique")]

    def __str__(self) -> str:
        return f"snapshot of store {self.store_id} on {self.day}"
