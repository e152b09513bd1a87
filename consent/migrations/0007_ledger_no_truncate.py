"""The consent ledger cannot be emptied either: TRUNCATE is refused by a statement-level trigger (the
row trigger of 0002 never sees it), for the owner too (see audit 0003)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("consent", "0006_throttles_per_device_and_confirmation"),
        ("audit", "0003_no_truncate_and_forget_keys"),
    ]

    operations = [
        migrations.RunSQL(
            """
            CREATE TRIGGER consent_ledger_no_truncate BEFORE TRUNCATE ON consent_consentevent
                FOR EACH STATEMENT EXECUTE FUNCTION append_only_refuse_truncate();
            """,
            reverse_sql="DROP TRIGGER consent_ledger_no_truncate ON consent_consentevent;",
        ),
    ]
