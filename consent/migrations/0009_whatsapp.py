"""WhatsApp becomes a channel she can agree to (``contact_whatsapp``), and a STOP sent there is a way
of withdrawing it (``whatsapp_reply``). The purpose row is added as migration 0002 added the others;
the choices change no SQL."""

from django.db import migrations, models

WHATSAPP = (
    "contact_whatsapp",
    "Messages on WhatsApp",
    "My store may answer my WhatsApp messages there, within a day of my last one.",
    50,
)


def add_purpose(apps, schema_editor):
    Purpose = apps.get_model("consent", "Purpose")
    code, name, description, position = WHATSAPP
    Purpose.objects.get_or_create(
        code=code, defaults={"name": name, "description": description, "position": position}
    )


class Migration(migrations.Migration):
    dependencies = [("consent", "0008_profile_grants_by_time")]

    operations = [
        migrations.AlterField(
            model_name="consentevent",
            name="method",
            field=models.CharField(
                choices=[
                    ("qr_in_store", "QR code in store"),
                    ("assisted", "Assisted on a store tablet"),
                    ("privacy_centre", "Privacy centre"),
                    ("import", "Imported"),
                    ("api", "Integration API"),
                    ("sms_reply", "STOP reply to a text"),
                    ("whatsapp_reply", "STOP reply on WhatsApp"),
                    ("unsubscribe", "Unsubscribe link in an e-mail"),
                ],
                max_length=16,
            ),
        ),
        # Never removed on the way back: events may already point at it (the ledger is append-only).
        migrations.RunPython(add_purpose, migrations.RunPython.noop),
    ]
