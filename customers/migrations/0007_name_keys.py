"""Names found whatever order their letters were typed in (customers/name_keys.py): the SQL function
and a GIN index over each customer's name keys, built concurrently (the customers table is big and
stays writable meanwhile)."""

import django.contrib.postgres.indexes
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models

import customers.name_keys


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("customers", "0006_source_import")]

    operations = [
        migrations.RunSQL(
            sql=customers.name_keys.FUNCTION_SQL,
            reverse_sql="DROP FUNCTION public.clienteling_name_keys(text);",
        ),
        AddIndexConcurrently(
            model_name="customer",
            index=django.contrib.postgres.indexes.GinIndex(
                customers.name_keys.NameKeys(models.F("search_name")), name="customer_search_name_keys"
            ),
        ),
    ]
