from django.db import migrations


class Migration(migrations.Migration):
    """unaccent() is only STABLE (its dictionary could change); an index needs an IMMUTABLE wrapper."""

    dependencies = [("customers", "0002_postgres_extensions")]

    operations = [
        migrations.RunSQL(
            sql="""
            CREATE FUNCTION public.clienteling_unaccent(text) RETURNS text
            LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
            RETURN public.unaccent('public.unaccent'::regdictionary, $1);
            """,
            reverse_sql="DROP FUNCTION public.clienteling_unaccent(text);",
        )
    ]
