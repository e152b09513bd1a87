"""Which customer each record of a file is, set-based (half a million rows in a few statements): a
customer id of a sales file, or a record of a customers file. The caller stages the records in
temporary tables. The policy is the API's (``resolution``), except that a file never merges anyone:
an identifier another profile has stays there, and the two profiles are queued for a manager's
review. Customers made from files are invisible to staff until they consent; each creation and
change is audited with ids, kinds and field names, never values.
"""

from django.db import connection, transaction

from audit.services import record_events_sql

# The profile ``c`` (a customers_customer row) stands for today. A merge moves identifiers to the
# survivor, so an identifier's profile is rarely a merged one; this follows the one step if it is.
SURVIVOR = "coalesce(c.merged_into_id, c.id)"


def customers_for_sales(externals: str, *, namespace: str, into: str) -> int:
    """Map each customer id of a sales file to her profile, in a new temporary table ``into``
    (external, customer_id). ``externals`` is a query of one column, ``customer``, of distinct ids.
    She is the profile that has the id as an external identifier in ``namespace``, else a new one
    "from sales data" that gets it. Returns how many were made. Run it in the caller's transaction:
    the table is dropped when that commits."""
    actor_kind = f"import:{namespace}"
    with connection.cursor() as cursor:
        run = cursor.execute
        run(
            f"""CREATE TEMP TABLE {into} ON COMMIT DROP AS
               SELECT r.customer AS external, {SURVIVOR} AS customer_id
               FROM ({externals}) r
               LEFT JOIN customers_customeridentifier i
                      ON i.kind = 'external' AND i.namespace = %s AND i.value = r.customer
               LEFT JOIN customers_customer c ON c.id = i.customer_id""",  # noqa: S608 - fixed pieces
            [namespace],
        )
        run(
            f"""UPDATE {into}
               SET customer_id = nextval(pg_get_serial_sequence('customers_customer', 'id'))
               WHERE customer_id IS NULL RETURNING customer_id"""  # noqa: S608 - a fixed name
        )
        made = [row[0] for row in cursor.fetchall()]
        if made:
            run(
                """INSERT INTO customers_customer (id, public_id, given_name, family_name, preferred_name,
                                                   locale, country, source, created_at, updated_at)
                   SELECT id, gen_random_uuid(), '', '', '', '', '', 'sales', now(), now()
                   FROM unnest(%s::bigint[]) id""",
                [made],
            )
            run(
                f"""INSERT INTO customers_customeridentifier
                       (customer_id, kind, namespace, value, is_primary, created_at)
                   SELECT customer_id, 'external', %s, external, false, now()
                   FROM {into} WHERE customer_id = ANY(%s)""",  # noqa: S608 - a fixed name
                [namespace, made],
            )
            record_events_sql(
                actor_kind=actor_kind,
                rows="""SELECT 'customer.created_from_sales' AS action, id AS customer_id,
                               NULL::jsonb AS detail
                        FROM unnest(%(made)s::bigint[]) id""",
                params={"made": made},
            )
        run(f"ANALYZE {into}")
    return len(made)


@transaction.atomic
def upsert_customer_records(records: str, *, namespace: str) -> dict[str, int]:
    """The customers of a customers file, from the table ``records``: columns row_no, external (her id
    in ``namespace``, the system the file comes from), given_name, family_name, home_store_id, email,
    phone, loyalty (all normalised) and reason (only rows without one count; an id twice: its last
    row counts). She is the profile her id names, else the one her e-mail, phone or loyalty number
    names, else a new one (``source=import``). Identifiers nobody has are added to her; names and home
    store replace hers where the file gives them. Returns counts: created, updated, pairs_queued."""
    with connection.cursor() as cursor:
        run = cursor.execute
        # One row per customer id (the last), with the profile each of her identifiers names today.
        owners = ",\n".join(
            f"""(SELECT {SURVIVOR} FROM customers_customeridentifier i
                 JOIN customers_customer c ON c.id = i.customer_id
                 WHERE i.kind = '{kind}' AND i.namespace = {space}
                   AND i.value = r.{column}) AS by_{kind}"""  # noqa: S608 - fixed pieces
            for kind, space, column in (
                ("external", "%(namespace)s", "external"),
                ("email", "''", "email"),
                ("phone", "''", "phone"),
                ("loyalty", "''", "loyalty"),
            )
        )
        run(
            f"""CREATE TEMP TABLE staged_people ON COMMIT DROP AS
               SELECT r.*, {owners},
                      NULL::bigint AS customer_id, false AS created
               FROM (SELECT DISTINCT ON (external) * FROM {records} WHERE reason IS NULL
                     ORDER BY external, row_no DESC) r""",  # noqa: S608 - fixed pieces
            {"namespace": namespace},
        )
        run(
            """UPDATE staged_people SET customer_id = coalesce(by_external, by_email, by_phone, by_loyalty)"""
        )
        run(
            """UPDATE staged_people
               SET customer_id = nextval(pg_get_serial_sequence('customers_customer', 'id')), created = true
               WHERE customer_id IS NULL"""
        )
        created = cursor.rowcount
        run(
            """INSERT INTO customers_customer (id, public_id, given_name, family_name, preferred_name,
                                               locale, country, source, home_store_id, created_at,
                                               updated_at)
               SELECT p.customer_id, gen_random_uuid(), coalesce(p.given_name, ''),
                      coalesce(p.family_name, ''), '', '', coalesce(s.country, ''), 'import',
                      p.home_store_id, now(), now()
               FROM staged_people p LEFT JOIN stores_store s ON s.id = p.home_store_id WHERE p.created"""
        )
        # A profile already here takes the names and home store the file gives (an empty cell: as it is).
        updated = record_events_sql(
            actor_kind=f"import:{namespace}",
            ctes="""WITH changed AS (
                   UPDATE customers_customer c
                   SET given_name = coalesce(nullif(p.given_name, ''), c.given_name),
                       family_name = coalesce(nullif(p.family_name, ''), c.family_name),
                       home_store_id = coalesce(p.home_store_id, c.home_store_id), updated_at = now()
                   FROM staged_people p
                   WHERE c.id = p.customer_id AND NOT p.created
                     AND (c.given_name, c.family_name, c.home_store_id) IS DISTINCT FROM
                         (coalesce(nullif(p.given_name, ''), c.given_name),
                          coalesce(nullif(p.family_name, ''), c.family_name),
                          coalesce(p.home_store_id, c.home_store_id))
                   RETURNING c.id)""",
            rows="""SELECT 'customer.updated' AS action, id AS customer_id,
                           '{"fields": ["profile"]}'::jsonb AS detail FROM changed""",
        )
        run(
            """CREATE TEMP TABLE staged_wanted ON COMMIT DROP AS
               SELECT row_no, customer_id, kind, namespace, value
               FROM staged_people,
                    LATERAL (VALUES ('external', %(namespace)s, external), ('email', '', email),
                                    ('phone', '', phone), ('loyalty', '', loyalty)) v (kind, namespace, value)
               WHERE value IS NOT NULL""",
            {"namespace": namespace},
        )
        # In key order (then the file's), as every writer inserts them: the first row naming one wins.
        record_events_sql(
            actor_kind=f"import:{namespace}",
            ctes="""WITH added AS (
                   INSERT INTO customers_customeridentifier
                       (customer_id, kind, namespace, value, is_primary, created_at)
                   SELECT customer_id, kind, namespace, value, false, now() FROM staged_wanted
                   ORDER BY kind, namespace, value, row_no
                   ON CONFLICT (kind, namespace, value) DO NOTHING
                   RETURNING customer_id, kind)""",
            rows="""SELECT CASE WHEN p.created THEN 'customer.created_from_import'
                           ELSE 'customer.identifiers_added' END AS action,
                      a.customer_id,
                      jsonb_build_object('kinds', array_agg(DISTINCT a.kind ORDER BY a.kind)) AS detail
               FROM added a JOIN staged_people p ON p.customer_id = a.customer_id
               GROUP BY a.customer_id, p.created""",
        )
        # Identifiers another profile has (from before, or from an earlier row of this file): the two are
        # queued for review, never merged by a file.
        run(
            f"""INSERT INTO identity_duplicatecandidate
                   (first_id, second_id, score, evidence, status, found_at)
               SELECT least(w.customer_id, o.id), greatest(w.customer_id, o.id), 1.0,
                      jsonb_build_object(
                          'signals', array_agg(DISTINCT 'shared_' || w.kind ORDER BY 'shared_' || w.kind),
                          'source', %(label)s),
                      'open', now()
               FROM staged_wanted w
               JOIN customers_customeridentifier i
                 ON i.kind = w.kind AND i.namespace = w.namespace AND i.value = w.value
               JOIN customers_customer c ON c.id = i.customer_id
               CROSS JOIN LATERAL (SELECT {SURVIVOR} AS id) o
               WHERE o.id <> w.customer_id
               GROUP BY least(w.customer_id, o.id), greatest(w.customer_id, o.id)
               ON CONFLICT (first_id, second_id) DO NOTHING""",  # noqa: S608 - fixed pieces
            {"label": f"Customer file ({namespace})"},
        )
        queued = cursor.rowcount
        run("DROP TABLE staged_people, staged_wanted")
    return {"created": created, "updated": updated, "pairs_queued": queued}
