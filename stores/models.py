import zoneinfo
from datetime import date, time

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone as clock


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not an IANA time zone.")


class StaffLocale(models.TextChoices):
    """The languages and formats staff pages come in: a language the app is translated into, and the
    country's way of writing dates and numbers (Django's formats for that locale)."""

    EN_GB = "en-gb", "English (United Kingdom)"
    EN_IE = "en-ie", "English (Ireland)"
    EN_US = "en-us", "English (United States)"
    FR_FR = "fr-fr", "Français (France)"
    FR_BE = "fr-be", "Français (Belgique)"
    FR_CH = "fr-ch", "Français (Suisse)"
    FR_CA = "fr-ca", "Français (Canada)"


# A new store's locale, from its country (English, the UK's formats, elsewhere).
# A phone number in the international format: a plus, a country code, at most 15 digits in all.
E164 = r"^\+[1-9][0-9]{6,14}$"

LOCALE_OF_COUNTRY = {
    "GB": StaffLocale.EN_GB,
    "IE": StaffLocale.EN_IE,
    "US": StaffLocale.EN_US,
    "FR": StaffLocale.FR_FR,
    "BE": StaffLocale.FR_BE,
    "CH": StaffLocale.FR_CH,
    "CA": StaffLocale.FR_CA,
    "LU": StaffLocale.FR_FR,
    "MC": StaffLocale.FR_FR,
}


class Store(models.Model):
    """A physical store (or an online channel's virtual store). ``code`` is the retailer's key."""

    code = models.SlugField(max_length=32, unique=True)
    name = models.CharField(max_length=120)
    country = models.CharField(
        max_length=2, validators=[RegexValidator(r"^[A-Z]{2}$", "Use an ISO 3166 country code.")]
    )
    timezone = models.CharField(max_length=64, validators=[validate_timezone])
    currency = models.CharField(
        max_length=3, validators=[RegexValidator(r"^[A-Z]{3}$", "Use an ISO 4217 currency code.")]
    )
    city = models.CharField(max_length=80, blank=True)
    address = models.TextField(blank=True)
    # Staff pages' language and date and number formats (the customer's pages follow her phone).
    locale = models.CharField(
        max_length=8, choices=StaffLocale.choices, default=StaffLocale.EN_GB, db_default=StaffLocale.EN_GB
    )
    is_active = models.BooleanField(default=True)
    # No message leaves between these times, in the store's time zone (the end may be after midnight).
    quiet_hours_start = models.TimeField(default=time(21, 0), db_default=time(21, 0))
    quiet_hours_end = models.TimeField(default=time(9, 0), db_default=time(9, 0))
    # The number its texts go from, in E.164 (+447…): her answer to it comes to this store's inbox,
    # whoever she is. Empty: the SMS provider's default number (outreach.inbound routes her answer).
    sms_number = models.CharField(
        max_length=16,
        blank=True,
        db_default="",
        default="",
        validators=[RegexValidator(E164, "A number in the international format, such as +447700900123.")],
        help_text="The store's own number for texts, in the international format (+44…); empty: the "
        "provider's default number.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["sms_number"], condition=~models.Q(sms_number=""), name="store_sms_number_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(sms_number="") | models.Q(sms_number__regex=E164),
                name="store_sms_number_e164",
            ),
            models.CheckConstraint(
                condition=models.Q(country__regex=r"^[A-Z]{2}$"), name="store_country_iso"
            ),
            models.CheckConstraint(
                condition=models.Q(currency__regex=r"^[A-Z]{3}$"), name="store_currency_iso"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def today(self) -> date:
        """The date at the store now, in its own time zone."""
        return clock.localdate(timezone=zoneinfo.ZoneInfo(self.timezone))


class CollectionPoint(models.Model):
    """A place in a store where customers can opt in (a till, a fitting room, a window poster)."""

    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="collection_points")
    code = models.SlugField(max_length=32)
    name = models.CharField(max_length=120)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["store", "code"], name="collection_point_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.store.name}: {self.name}"
