"""``app_refresh_statistics``: ANALYZE, for the runtime role, which owns no table and so may not.

A bulk load plans its set-based statements on the tables' statistics; after a load that was rolled
back (a crash), autovacuum may have recorded the tables as nearly empty, and the next load's plans go
wrong by orders of magnitude. The load refreshes them first (common/db_stats.py), through this
function, which its owner defined and which ANALYZEs the named tables of the app's schema, nothing
else."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("common", "0001_outbox")]

    operations = [
        migrations.RunSQL(
            """
            CREATE FUNCTION app_refresh_statistics(tables text[]) RETURNS void
            LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
            DECLARE
                name text;
            BEGIN
                FOREACH name IN ARRAY tables LOOP
                    IF NOT EXISTS (SELECT 1 FROM pg_tables WHERE schemaname = 'public' AND tablename = name)
                    THEN
                        RAISE EXCEPTION 'not a table of the app: %', name USING ERRCODE = 'undefined_table';
                    END IF;
                    EXECUTE format('ANALYZE public.%I', name);
                END LOOP;
            END $$;
            REVOKE ALL ON FUNCTION app_refresh_statistics(text[]) FROM PUBLIC;
            """,
            reverse_sql="DROP FUNCTION app_refresh_statistics(text[]);",
        ),
    ]
