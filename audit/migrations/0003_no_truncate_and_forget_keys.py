"""The audit trail cannot be emptied, and erasure's one change to it needs no UPDATE right.

A statement-level trigger refuses TRUNCATE (row triggers never see it), for the owner too, unless
the session says ``clienteling.allow_truncate`` (the test suite's flush between tests). The runtime
role has no UPDATE on the table (common/db_roles.py); ``audit_forget_keys`` takes the given keys out
of a customer's events' details, as its owner, and nothing else: the row trigger still checks that
only keys went.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_request_id_append_only")]

    operations = [
        migrations.RunSQL(
            """
            CREATE FUNCTION append_only_refuse_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF coalesce(current_setting('clienteling.allow_truncate', true), '') = 'on' THEN
                    RETURN NULL;
                END IF;
                RAISE EXCEPTION '% is append-only: TRUNCATE refused', TG_TABLE_NAME
                    USING ERRCODE = 'insufficient_privilege';
            END $$;
            CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_auditevent
                FOR EACH STATEMENT EXECUTE FUNCTION append_only_refuse_truncate();

            CREATE FUNCTION audit_forget_keys(customer_ids bigint[], forgotten text[]) RETURNS integer
            LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
                WITH changed AS (
                    UPDATE audit_auditevent SET detail = detail - forgotten
                     WHERE customer_id = ANY(customer_ids) AND detail ?| forgotten
                    RETURNING 1
                )
                SELECT count(*)::integer FROM changed
            $$;
            REVOKE ALL ON FUNCTION audit_forget_keys(bigint[], text[]) FROM PUBLIC;
            """,
            reverse_sql="""
            DROP FUNCTION audit_forget_keys(bigint[], text[]);
            DROP TRIGGER audit_event_no_truncate ON audit_auditevent;
            DROP FUNCTION append_only_refuse_truncate();
            """,
        ),
    ]
