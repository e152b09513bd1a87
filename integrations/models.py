"""Integration systems (POS, e-commerce, catalogue, stock) and the tokens they call the API with."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models


class Resource(models.TextChoices):
    """What a token may write; each endpoint belongs to one."""

    STORES = "stores", "Stores"
    CATEGORIES = "categories", "Categories"
    PRODUCTS = "products", "Products and variants"
    STOCK = "stock", "Stock levels"
    ORDERS = "orders", "Orders (and the customers they name)"
    CUSTOMERS = "customers", "Customers and their identifiers"
    SERVICES = "services", "Service episodes (alterations, repairs, appointments)"
    STAFF = "staff", "Staff and their stores"


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def active(self) -> "ApiTokenQuerySet":
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """One integration system's credential. Only a SHA-256 of the token is kept: the token itself is
    shown once, when it is created (``integrations.services.issue_token``). ``prefix`` (the token's
    first characters, not secret) finds the row and names the token in logs and the admin.

    Scope: the resources it may write, and the stores whose data it may write (all of them only when
    ``all_stores``). A revoked token is refused from the next request on."""

    name = models.CharField(max_length=120, help_text="The system that uses it, e.g. “Tills, London”.")
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    resources = ArrayField(models.CharField(max_length=16, choices=Resource.choices))
    all_stores = models.BooleanField(default=False, help_text="May write data of every store.")
    stores = models.ManyToManyField("stores.Store", blank=True, related_name="api_tokens")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = "API token"
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
