from django.contrib.postgres.operations import TrigramExtension, UnaccentExtension
from django.db import migrations


class Migration(migrations.Migration):
    """Typo- and accent-tolerant search (pg_trgm, unaccent) is part of the schema, not a setup step."""

    dependencies = [("customers", "0001_initial")]

    operations = [TrigramExtension(), UnaccentExtension()]
