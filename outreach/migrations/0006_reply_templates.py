from django.db import migrations


def install(apps, schema_editor):
    from outreach.defaults import install_default_templates

    install_default_templates(apps.get_model("outreach", "MessageTemplate"), uses=("reply",))


class Migration(migrations.Migration):
    dependencies = [("outreach", "0005_inbound_message_subject")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
