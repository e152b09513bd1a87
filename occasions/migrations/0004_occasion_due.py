"""The dashboard's index of every occasion by store and due day, built without blocking writes."""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("occasions", "0003_campaign_lists")]

    operations = [
        AddIndexConcurrently(
            model_name="occasion",
            index=models.Index(fields=["store", "due_on"], name="occasion_due"),
        ),
    ]
