"""Her e-mail replies keep their subject. The column has a constant default kept in the database
(no rewrite since PostgreSQL 11, and the release still running while it is added inserts without it)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("outreach", "0004_message_provider_reference"),
    ]

    operations = [
        migrations.AddField(
            model_name="inboundmessage",
            name="subject",
            field=models.CharField(blank=True, db_default="", default="", max_length=200),
        ),
    ]
