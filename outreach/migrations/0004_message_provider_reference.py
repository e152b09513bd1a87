"""Status callbacks find a message by the provider's id for it: the index is built concurrently, so
sending goes on while it builds (an interrupted build leaves an INVALID index to drop and rerun)."""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("outreach", "0003_conversations")]

    operations = [
        AddIndexConcurrently(
            model_name="message",
            index=models.Index(
                condition=models.Q(("provider_reference", ""), _negated=True),
                fields=["provider", "provider_reference"],
                name="message_provider_reference",
            ),
        ),
    ]
