"""Staff pages in each store's language and formats: ``Store.locale``, set for existing stores from
their country (a store table holds a few hundred rows at most)."""

from django.db import migrations, models

LOCALE_OF_COUNTRY = {
    "GB": "en-gb",
    "IE": "en-ie",
    "US": "en-us",
    "FR": "fr-fr",
    "BE": "fr-be",
    "CH": "fr-ch",
    "CA": "fr-ca",
    "LU": "fr-fr",
    "MC": "fr-fr",
}


def from_country(apps, schema_editor):  # type: ignore[no-untyped-def]
    Store = apps.get_model("stores", "Store")
    for country, locale in LOCALE_OF_COUNTRY.items():
        Store.objects.filter(country=country).update(locale=locale)


class Migration(migrations.Migration):
    dependencies = [
        ("stores", "0002_quiet_hours"),
    ]

    operations = [
        migrations.AddField(
            model_name="store",
            name="locale",
            field=models.CharField(
                choices=[
                    ("en-gb", "English (United Kingdom)"),
                    ("en-ie", "English (Ireland)"),
                    ("en-us", "English (United States)"),
                    ("fr-fr", "Français (France)"),
                    ("fr-be", "Français (Belgique)"),
                    ("fr-ch", "Français (Suisse)"),
                    ("fr-ca", "Français (Canada)"),
                ],
                db_default="en-gb",
                default="en-gb",
                max_length=8,
            ),
        ),
        migrations.RunPython(from_country, migrations.RunPython.noop),
    ]
