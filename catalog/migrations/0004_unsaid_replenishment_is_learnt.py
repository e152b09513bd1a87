"""Until now a product that did not say it was replenishable was stored as not replenishable: there was
no way to say "unknown". Those products are now learnt from the sales (NULL); a product marked
replenishable stays so."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("catalog", "0003_replenishment_learnt_unless_said")]

    operations = [
        migrations.RunSQL(
            "UPDATE catalog_product SET replenishable = NULL WHERE replenishable IS FALSE",
            reverse_sql="UPDATE catalog_product SET replenishable = false WHERE replenishable IS NULL",
        ),
    ]
