from django.db import migrations


def install(apps, schema_editor):
    from occasions.defaults import install_default_rules

    # The rules of the time: a later one, whose fields came later, is installed by its own migration.
    kinds = ("thank_you", "birthday", "anniversary", "after_appt", "replenish", "back_in_stock", "lapsing",
             "welcome", "never_bought")  # fmt: skip
    install_default_rules(
        apps.get_model("occasions", "OccasionRule"), apps.get_model("outreach", "MessageTemplate"), kinds
    )


class Migration(migrations.Migration):
    dependencies = [("occasions", "0001_initial"), ("outreach", "0006_reply_templates")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
