"""Products carry a picture's URL (issue 23). A column with a constant default: PostgreSQL adds it
without rewriting the table."""

from django.db import migrations, models

import catalog.images


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="product",
            name="image_url",
            field=models.CharField(
                blank=True,
                db_default="",
                default="",
                max_length=500,
                validators=[catalog.images.validate_image_url],
            ),
        ),
    ]
