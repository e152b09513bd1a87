import uuid

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models import Exists, F, Func, OuterRef, Q, Subquery, Value
from django.db.models.functions import Collate, Concat, ExtractDay, ExtractMonth, Lower, Right
from django.utils.translation import gettext_lazy as _

from customers.identifiers import IdentifierKind
from customers.name_keys import NameKeys


class CustomerQuerySet(models.QuerySet["Customer"]):
    def active(self) -> "CustomerQuerySet":
        """Profiles that stand for a person today: not merged into another, not erased."""
        return self.filter(merged_into__isnull=True, erased_at__isnull=True)

    def related_to_stores(self, store_ids: list[int], *, per_row: bool = False) -> "CustomerQuerySet":
        """Customers with a home store or any recorded activity among ``store_ids``.

        ``per_row``: the query narrows to a few rows through an index first (a name search), so each
        is checked with its own index probe. As an ``EXISTS`` PostgreSQL may instead hash every
        relationship of the stores (200,000 rows for one store of a million customers, 60 ms)
        whenever its estimate of the candidates is high; a scalar subquery cannot be hashed."""
        if per_row:
            related = StoreRelationship.objects.filter(customer=OuterRef("pk"), store_id__in=store_ids)
            return self.alias(
                related_here=Subquery(
                    related.values(flag=Value(True))[:1], output_field=models.BooleanField()
                )
            ).filter(Q(home_store_id__in=store_ids) | Q(related_here=True))
        return self.filter(
            Q(home_store_id__in=store_ids)
            | Exists(StoreRelationship.objects.filter(customer=OuterRef("pk"), store_id__in=store_ids))
        )


class Source(models.TextChoices):
    OPT_IN = "opt_in", _("Opted in")
    SALES = "sales", _("From sales data")
    API = "api", _("Integration API")
    IMPORT = "import", _("Imported file")
    STAFF = "staff", _("Created by staff")
    DEMO = "demo", _("Demo data")


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
    # Lower-cased, accent-free "given family preferred" for typo-tolerant search (pg_trgm).
    search_name = models.GeneratedField(
        expression=Func(
            Lower(Concat("given_name", Value(" "), "family_name", Value(" "), "preferred_name")),
            function="public.clienteling_unaccent",
            output_field=models.TextField(),
        ),
        output_field=models.TextField(),
        db_persist=True,
    )

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
            # Typo-tolerant name search (word_similarity, %>): GIN stays selective at a million
            # customers, where GiST's trigram signatures saturate (see bench/tablet.py).
            GinIndex(OpClass(F("search_name"), name="gin_trgm_ops"), name="customer_search_name_trgm"),
            # Names as she starts typing them ("car" → Caroline ...), read in order from the index
            # (byte order, "C" collation: the one a prefix range scan and ORDER BY can share).
            models.Index(Collate(F("search_name"), "C"), name="customer_search_name_prefix"),
            # Transposed and doubled letters ("Smtih", "Jonnes"): each word's letter set.
            GinIndex(NameKeys(F("search_name")), name="customer_search_name_keys"),
            models.Index(ExtractMonth("birth_date"), ExtractDay("birth_date"), name="customer_birthday"),
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
        indexes = [
            models.Index(fields=["customer", "kind"], name="identifier_customer_kind"),
            # Prefix search on e-mails and loyalty numbers as she types.
            models.Index(
                F("kind"), OpClass(F("value"), name="text_pattern_ops"), name="identifier_value_prefix"
            ),
            # "The last four digits of her phone."
            models.Index(Right("value", 4), name="identifier_phone_last4", condition=Q(kind="phone")),
        ]

    def __str__(self) -> str:
        return f"{self.kind} identifier of customer {self.customer_id}"


class ValueTier(models.TextChoices):
    """A customer's standing in one store, from her 12-month spend there (recomputed nightly)."""

    PRIVATE_CLIENT = "private_client", _("Private client")  # the store's top 1%
    PREFERRED = "preferred", _("Preferred client")  # the next 9% (top 10%)
    CLIENT = "client", _("Client")


class StoreRelationship(models.Model):
    """What a customer means to one store: activity, spend and tier, and who looks after her there."""

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
    tier = models.CharField(max_length=16, choices=ValueTier.choices, db_default=ValueTier.CLIENT)
    tier_computed_at = models.DateTimeField(null=True, blank=True)
    assigned_associate = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="client_book"
    )
    last_contacted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["customer", "store"], name="store_relationship_unique"),
        ]
        indexes = [
            models.Index(fields=["store", "customer"], name="store_relationship_store"),
            models.Index(fields=["store", "-spend_12m"], name="store_relationship_spend"),
            models.Index(fields=["store", "tier", "last_contacted_at"], name="store_relationship_tier"),
            models.Index(fields=["assigned_associate", "store"], name="store_relationship_assigned"),
        ]

    def __str__(self) -> str:
        return f"customer {self.customer_id} @ store {self.store_id}"


class PreferenceKind(models.TextChoices):
    BRAND = "brand", _("Brand")
    CATEGORY = "category", _("Category")
    COLOUR = "colour", _("Colour")
    STYLE = "style", _("Style")


class Preference(models.Model):
    """Something she loves or never wants to see. Dislikes are hard filters for suggestions."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="preferences")
    kind = models.CharField(max_length=16, choices=PreferenceKind.choices)
    likes = models.BooleanField(help_text="True: she loves it. False: never suggest it.")
    brand = models.ForeignKey(
        "catalog.Brand", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    category = models.ForeignKey(
        "catalog.Category", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    value = models.CharField(max_length=60, blank=True, help_text="Colour or style, in her words.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="brand", brand__isnull=False, category__isnull=True, value="")
                    | Q(kind="category", category__isnull=False, brand__isnull=True, value="")
                    | (
                        Q(kind__in=["colour", "style"], brand__isnull=True, category__isnull=True)
                        & ~Q(value="")
                    )
                ),
                name="preference_target_matches_kind",
            ),
            models.UniqueConstraint(
                "customer",
                "kind",
                "brand",
                "category",
                Lower("value"),
                name="preference_unique",
                nulls_distinct=False,
            ),
        ]

    def __str__(self) -> str:
        return f"{'likes' if self.likes else 'dislikes'} {self.kind}"


class Size(models.Model):
    """Her size in one category ("Dresses: UK 12", "Shoes: EU 38")."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="sizes")
    category = models.ForeignKey("catalog.Category", on_delete=models.CASCADE, related_name="+")
    size = models.CharField(max_length=20)
    fit_note = models.CharField(max_length=120, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["customer", "category"], name="size_one_per_category")]

    def __str__(self) -> str:
        return f"size {self.size} in category {self.category_id}"


class ImportantDate(models.Model):
    """An anniversary or another date worth remembering (her birthday is ``Customer.birth_date``)."""

    class Kind(models.TextChoices):
        ANNIVERSARY = "anniversary", _("Anniversary")
        OTHER = "other", _("Other")

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="important_dates")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    label = models.CharField(max_length=80, blank=True)
    month = models.PositiveSmallIntegerField()
    day = models.PositiveSmallIntegerField()
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["month", "day"]
        constraints = [
            models.CheckConstraint(condition=Q(month__gte=1, month__lte=12), name="important_date_month"),
            models.CheckConstraint(condition=Q(day__gte=1, day__lte=31), name="important_date_day"),
        ]
        indexes = [models.Index(fields=["month", "day"], name="important_date_month_day")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.day:02d}/{self.month:02d}"
