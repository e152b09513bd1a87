from django.db import migrations

PURPOSES = [
    (
        "profile",
        "Associates may see my profile and history",
        "Store associates can look me up and see my purchases, sizes and preferences to serve me better.",
        10,
    ),
    (
        "suggestions",
        "Personalised suggestions",
        "My purchase history is used to suggest products I may like; nothing from sensitive categories.",
        20,
    ),
    (
        "contact_email",
        "Contact me by e-mail",
        "My associate or store may e-mail me about things I may like.",
        30,
    ),
    (
        "contact_sms",
        "Contact me by text message",
        "My associate or store may text me, for example when an order is in.",
        40,
    ),
]


def add_purposes(apps, schema_editor):
    Purpose = apps.get_model("consent", "Purpose")
    for code, name, description, position in PURPOSES:
        Purpose.objects.update_or_create(
            code=code, defaults={"name": name, "description": description, "position": position}
        )


class Migration(migrations.Migration):
    dependencies = [("consent", "0001_initial")]

    operations = [
        migrations.RunSQL(
            sql="""
            CREATE FUNCTION consent_ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'the consent ledger is append-only: % is not allowed', TG_OP
                    USING ERRCODE = 'insufficient_privilege';
            END $$;
            CREATE TRIGGER consent_ledger_append_only
                BEFORE UPDATE OR DELETE ON consent_consentevent
                FOR EACH ROW EXECUTE FUNCTION consent_ledger_append_only();
            """,
            reverse_sql="""
            DROP TRIGGER consent_ledger_append_only ON consent_consentevent;
            DROP FUNCTION consent_ledger_append_only();
            """,
        ),
        migrations.RunPython(add_purposes, migrations.RunPython.noop),
    ]
