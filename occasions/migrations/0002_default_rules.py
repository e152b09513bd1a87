from django.db import migrations


def install(apps, schema_editor):
    from occasions.defaults import install_default_rules

    install_default_rules(
        apps.get_model("occasions", "OccasionRule"), apps.get_model("outreach", "MessageTemplate")
    )


class Migration(migrations.Migration):
    dependencies = [("occasions", "0001_initial"), ("outreach", "0006_reply_templates")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
