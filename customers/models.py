import uuid

from django.db import models
from django.db.models import Exists, OuterRef, Q

from customers.identifiers import IdentifierKind


class CustomerQuerySet(models.QuerySet["Customer"]):
    def active(self) -> "CustomerQuerySet":
        """Profiles that stand for a person today: not merged into another, not erased."""
        return self.filter(merged_into__isnull=True, erased_at__isnull=True)

    def consenting(self, purpose: str) -> "CustomerQuerySet":
        """Customers whose current consent state grants ``purpose`` (see ``consent.ConsentState``)."""
        from consent.models import ConsentState

        return self.filter(
            Exists(ConsentState.objects.filter(customer=OuterRef("pk"), purpose_id=purpose, granted=True))
        )

    def related_to_stores(self, store_ids: list[int]) -> "CustomerQuerySet":
        """Customers with a home store or any recorded activity among ``store_ids``."""
        return self.filter(
            Q(home_store_id__in=store_ids)
            | Exists(StoreRelationship.objects.filter(customer=OuterRef("pk"), store_id__in=store_ids))
        )


class Source(models.TextChoices):
    OPT_IN = "opt_in", "Opted in"
    SALES = "sales", "From sales data"
    API = "api", "Integration API"
    STAFF = "staff", "Created by staff"
    DEMO = "demo", "Demo data"


class Customer(models.Model):
    """One person. Identifiers, orders and consents hang off this row; merged profiles point here."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    given_name = models.CharField(max_length=80, blank=True)
    family_name = models.CharField(max_length=80, blank=True)
    preferred_name = models.CharField(max_length=80, blank=True)
    birth_date = models.DateField(null=True, blank=True)
    locale = models.CharField(max_length=12, blank=True)
    country = models.CharField(max_length=2, blank=True)
    home_store = models.ForeignKey(
        "stores.Store",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="home_customers",
    )
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.STAFF)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_profiles"
    )
    merged_at = models.DateTimeField(null=True, blank=True)
    erased_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CustomerQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~Q(merged_into=models.F("pk")), name="customer_not_merged_into_self"
            ),
            models.CheckConstraint(
                condition=Q(merged_into__isnull=True) | Q(merged_at__isnull=False),
                name="customer_merge_has_time",
            ),
        ]
        indexes = [
            models.Index(
                fields=["home_store"],
                name="customer_home_store",
                condition=Q(merged_into__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"Customer {self.public_id}"

    @property
    def display_name(self) -> str:
        return self.preferred_name or " ".join(p for p in (self.given_name, self.family_name) if p) or "—"


class CustomerIdentifier(models.Model):
    """An email, phone, loyalty number or channel id, stored normalised; one customer per value."""

    class Kind(models.TextChoices):
        EMAIL = IdentifierKind.EMAIL, "E-mail"
        PHONE = IdentifierKind.PHONE, "Phone"
        LOYALTY = IdentifierKind.LOYALTY, "Loyalty number"
        EXTERNAL = IdentifierKind.EXTERNAL, "External id"

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="identifiers", db_index=False
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # For external ids, the system that issued them ("web", "pos", "app"); empty for the others.
    namespace = models.CharField(max_length=32, blank=True, default="")
    value = models.CharField(max_length=254)
    is_primary = models.BooleanField(default=False)
    verified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "namespace", "value"], name="identifier_unique_value"),
            models.UniqueConstraint(
                fields=["customer", "kind"],
                condition=Q(is_primary=True),
                name="identifier_one_primary_per_kind",
            ),
            models.CheckConstraint(
                condition=Q(kind=IdentifierKind.EXTERNAL, namespace__gt="")
                | (~Q(kind=IdentifierKind.EXTERNAL) & Q(namespace="")),
                name="identifier_namespace_only_for_external",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["email", "phone", "loyalty", "external"]),
                name="identifier_kind_valid",
            ),
        ]
        indexes = [models.Index(fields=["customer", "kind"], name="identifier_customer_kind")]

    def __str__(self) -> str:
        return f"{self.kind} identifier of customer {self.customer_id}"


class StoreRelationship(models.Model):
    """What a customer means to one store: activity and spend, refreshed from sales."""

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="store_relationships", db_index=False
    )
    store = models.ForeignKey(
        "stores.Store", on_delete=models.CASCADE, related_name="customer_relationships", db_index=False
    )
    first_activity_at = models.DateTimeField(null=True, blank=True)
    last_activity_at = models.DateTimeField(null=True, blank=True)
    orders_count = models.PositiveIntegerField(default=0)
    lifetime_spend = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    spend_12m = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    refreshed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["customer", "store"], name="store_relationship_unique"),
        ]
        indexes = [
            models.Index(fields=["store", "customer"], name="store_relationship_store"),
            models.Index(fields=["store", "-spend_12m"], name="store_relationship_spend"),
        ]

    def __str__(self) -> str:
        return f"customer {self.customer_id} @ store {self.store_id}"
