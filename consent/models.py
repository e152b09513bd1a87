import uuid
from typing import Any, NoReturn

from django.conf import settings
from django.db import models


class PurposeCode(models.TextChoices):
    PROFILE = "profile", "Associates may see my profile and history"
    SUGGESTIONS = "suggestions", "Personalised suggestions"
    CONTACT_EMAIL = "contact_email", "Contact me by e-mail"
    CONTACT_SMS = "contact_sms", "Contact me by text message"
    CONTACT_WHATSAPP = "contact_whatsapp", "Messages on WhatsApp"


class Purpose(models.Model):
    """Something a customer can agree to, separately. The code is the key other tables use."""

    code = models.SlugField(max_length=32, primary_key=True)
    name = models.CharField(max_length=120)
    description = models.TextField()
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.name


class PolicyVersion(models.Model):
    """The exact privacy text a customer agreed to. ``text_hash`` proves which words she saw."""

    version = models.CharField(max_length=32)
    language = models.CharField(max_length=12, default="en")
    text = models.TextField()
    text_hash = models.CharField(max_length=64, editable=False)
    published_at = models.DateTimeField()

    class Meta:
        ordering = ["-published_at"]
        get_latest_by = "published_at"
        constraints = [
            models.UniqueConstraint(fields=["version", "language"], name="policy_version_unique"),
        ]

    def __str__(self) -> str:
        return f"policy {self.version} ({self.language})"


class Method(models.TextChoices):
    QR_IN_STORE = "qr_in_store", "QR code in store"
    ASSISTED = "assisted", "Assisted on a store tablet"
    PRIVACY_CENTRE = "privacy_centre", "Privacy centre"
    IMPORT = "import", "Imported"
    API = "api", "Integration API"
    SMS_REPLY = "sms_reply", "STOP reply to a text"
    WHATSAPP_REPLY = "whatsapp_reply", "STOP reply on WhatsApp"
    UNSUBSCRIBE = "unsubscribe", "Unsubscribe link in an e-mail"


class Verification(models.TextChoices):
    EMAIL_CODE = "email_code", "One-time code by e-mail"
    SMS_CODE = "sms_code", "One-time code by text"
    MAGIC_LINK = "magic_link", "Signed link"
    STAFF_WITNESSED = "staff_witnessed", "Witnessed by staff"
    SENDER_NUMBER = "sender_number", "Sent from her phone number"
    NONE = "none", "Not verified"


class AppendOnlyError(RuntimeError):
    """The consent ledger records history; history is never edited or deleted."""


class ConsentEventQuerySet(models.QuerySet["ConsentEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Consent events cannot be updated; record a new event instead.")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("Consent events cannot be deleted; record a withdrawal instead.")


class ConsentEvent(models.Model):
    """One row of the append-only consent ledger. A database trigger also refuses UPDATE/DELETE."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="consent_events", db_index=False
    )
    purpose = models.ForeignKey(Purpose, on_delete=models.PROTECT, related_name="events")
    granted = models.BooleanField(help_text="True for a grant, False for a withdrawal.")
    policy_version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="events")
    store = models.ForeignKey(
        "stores.Store", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    collection_point = models.ForeignKey(
        "stores.CollectionPoint", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    method = models.CharField(max_length=16, choices=Method.choices)
    verification = models.CharField(max_length=16, choices=Verification.choices)
    occurred_at = models.DateTimeField()
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Groups the events of one opt-in or one change, and is what the customer's receipt shows.
    receipt_id = models.UUIDField(default=uuid.uuid4, db_index=True)

    objects = ConsentEventQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["customer", "purpose", "-occurred_at", "-id"], name="consent_event_latest"),
            # The dashboard's opt-ins of a day (managers/rollups): grants by time, whichever store.
            models.Index(
                fields=["occurred_at"],
                condition=models.Q(purpose="profile", granted=True),
                name="consent_event_profile_grants",
            ),
        ]

    def __str__(self) -> str:
        verb = "granted" if self.granted else "withdrew"
        return f"customer {self.customer_id} {verb} {self.purpose_id} at {self.occurred_at:%Y-%m-%d %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("Consent events cannot be updated; record a new event instead.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Consent events cannot be deleted; record a withdrawal instead.")


class ConsentState(models.Model):
    """A customer's current answer per purpose: the latest ledger event, kept in step by
    ``consent.services`` and rebuildable from the ledger at any time (``refresh_consent_states``)."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="consent_states", db_index=False
    )
    purpose = models.ForeignKey(Purpose, on_delete=models.PROTECT, related_name="+")
    granted = models.BooleanField()
    since = models.DateTimeField()
    event = models.ForeignKey(ConsentEvent, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["customer", "purpose"], name="consent_state_unique"),
        ]
        indexes = [
            models.Index(
                fields=["purpose", "customer"],
                condition=models.Q(granted=True),
                name="consent_state_granted",
            ),
        ]

    def __str__(self) -> str:
        return f"customer {self.customer_id}: {self.purpose_id}={'yes' if self.granted else 'no'}"


class CodeChannel(models.TextChoices):
    EMAIL = "email", "E-mail"
    SMS = "sms", "Text message"


class SendAttempt(models.Model):
    """One request to send a code or a link, kept for a day to throttle per address, per device (the
    browser's session) and per client address. ``confirmed_at``: when the code or link it sent was
    used, proving someone holds the address. Holds keyed digests only: no address, no IP address."""

    class Kind(models.TextChoices):
        CODE = "code", "One-time code"
        PRIVACY_LINK = "privacy_link", "Privacy-centre link"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    identifier_digest = models.CharField(max_length=64)
    client_digest = models.CharField(max_length=64)
    device_digest = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["kind", "identifier_digest", "-created_at"], name="send_attempt_identifier"),
            models.Index(fields=["kind", "client_digest", "-created_at"], name="send_attempt_client"),
            models.Index(fields=["kind", "device_digest", "-created_at"], name="send_attempt_device"),
            models.Index(fields=["created_at"], name="send_attempt_time"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} send at {self.created_at:%Y-%m-%d %H:%M}"


class OneTimeCode(models.Model):
    """A short code sent to prove she holds an e-mail address or a phone.

    Holds no personal data: the address only as a keyed digest (the code is checked against the
    address it was sent to), the code only as a keyed digest. Expired rows are deleted nightly.
    """

    channel = models.CharField(max_length=8, choices=CodeChannel.choices)
    identifier_digest = models.CharField(max_length=64)
    code_digest = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)
    send_attempt = models.ForeignKey(
        SendAttempt, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["expires_at"], name="otp_expiry")]

    def __str__(self) -> str:
        return f"{self.channel} code {self.pk}"


class PrivacyLink(models.Model):
    """A single-use sign-in link to her privacy centre (the link carries ``token``, signed)."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    channel = models.CharField(max_length=8, choices=CodeChannel.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    send_attempt = models.ForeignKey(
        SendAttempt, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["expires_at"], name="privacy_link_expiry")]

    def __str__(self) -> str:
        return f"privacy link {self.pk} for customer {self.customer_id}"


class DataExport(models.Model):
    """Her data as a ZIP, built by a Celery job and downloadable once, through a short-lived signed
    link, from the privacy-centre session that asked for it (``requested_in``: a digest of that
    session's own id); the file is deleted as it is handed over."""

    class Status(models.TextChoices):
        PENDING = "pending", "Being prepared"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"
        EXPIRED = "expired", "Expired"
        DOWNLOADED = "used", "Downloaded"

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    file = models.FileField(upload_to="exports/", blank=True)
    size_bytes = models.PositiveBigIntegerField(null=True, blank=True)
    requested_at = models.DateTimeField(auto_now_add=True)
    ready_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    requested_in = models.CharField(max_length=64, blank=True, editable=False)
    downloaded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["customer", "-requested_at"], name="data_export_customer"),
            models.Index(fields=["status", "expires_at"], name="data_export_expiry"),
        ]

    def __str__(self) -> str:
        return f"export {self.pk} for customer {self.customer_id} ({self.status})"
