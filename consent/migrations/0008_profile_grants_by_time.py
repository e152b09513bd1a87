"""The dashboard's opt-ins of a day read profile grants by time (managers/rollups): without this index
the live slice for today read the whole ledger on every request. Built concurrently: the ledger is
one of the big tables, and writes to it go on while the index is built."""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("consent", "0007_ledger_no_truncate")]

    operations = [
        AddIndexConcurrently(
            model_name="consentevent",
            index=models.Index(
                condition=models.Q(("granted", True), ("purpose", "profile")),
                fields=["occurred_at"],
                name="consent_event_profile_grants",
            ),
        ),
    ]
