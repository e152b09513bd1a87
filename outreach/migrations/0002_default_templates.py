from django.db import migrations


def install(apps, schema_editor):
    from outreach.defaults import install_default_templates

    install_default_templates(apps.get_model("outreach", "MessageTemplate"))


class Migration(migrations.Migration):
    dependencies = [("outreach", "0001_initial")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
