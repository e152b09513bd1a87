import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models


class Role(models.TextChoices):
    ASSOCIATE = "associate", "Associate"
    MANAGER = "manager", "Store manager"
    ADMIN = "admin", "Administrator"


class User(AbstractUser):
    """A member of staff. What she may see is set by her role and her store memberships."""

    role = models.CharField(max_length=16, choices=Role.choices, default=Role.ASSOCIATE)
    stores = models.ManyToManyField(
        "stores.Store", through="StoreMembership", related_name="staff", blank=True
    )
    # Quick switching on a shared tablet: a personal PIN, hashed like a password and locked after
    # repeated failures (for this person only).
    pin_hash = models.CharField(max_length=128, blank=True, db_default="")
    pin_failed_attempts = models.PositiveSmallIntegerField(db_default=0)
    pin_locked_until = models.DateTimeField(null=True, blank=True)
    pin_lockouts = models.PositiveSmallIntegerField(db_default=0)  # since her last right PIN

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(role__in=Role.values), name="user_role_valid"),
        ]

    @property
    def is_admin_role(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_manager_role(self) -> bool:
        return self.role == Role.MANAGER


class StoreMembership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships", db_index=False)
    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="memberships")
    is_primary = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "store"], name="membership_unique"),
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(is_primary=True), name="membership_one_primary"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.store}"


class Device(models.Model):
    """A shared tablet a manager enrolled for a store: the only kind of device that offers PIN
    sign-in. Its cookie holds the device's id and a secret (kept here as a digest); it expires, and a
    manager can revoke it at once. Wrong PINs on it, whoever they were for, lock its PIN sign-in."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="devices")
    name = models.CharField(max_length=80)
    secret_digest = models.CharField(max_length=64, editable=False)
    enrolled_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    enrolled_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_seen_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    pin_failed_attempts = models.PositiveSmallIntegerField(default=0)
    pin_locked_until = models.DateTimeField(null=True, blank=True)
    pin_lockouts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["store", "-enrolled_at"], name="device_store_enrolled")]

    def __str__(self) -> str:
        return f"{self.name} ({self.store_id})"
