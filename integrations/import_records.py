"""Product and customer files for backfills, checked and upserted set-based like sales files.

- products: ``product_id,name`` plus any of ``category,price,description``. A product already here
  gets the values the file gives (an empty or missing cell leaves hers as it is); a new one gets
  the ``imported`` category and a price of 0 where the file says nothing. A product id twice in the
  file: its last row counts.
- customers: ``customer_id`` plus any of ``given_name,family_name,email,phone,loyalty,home_store``.
  Her customer id is an external identifier in the ``--source`` namespace. Identifiers are
  normalised as everywhere (``customers.identifiers``: the phone in her home store's country), once
  per distinct value. She is the profile her customer id belongs to, else the one her e-mail, phone
  or loyalty number does, else a new one (``source=import``, invisible to staff until she
  consents). Identifiers nobody has are added to her; one another profile has stays there, and the
  two profiles are queued for a manager's review: a file never merges anyone by itself.

Every creation and change is audited with ids, kinds and field names, never values.
"""

from typing import Any

from audit.services import record_events_sql
from customers.identifiers import IdentifierKind, InvalidIdentifier, normalise
from integrations.import_checks import (
    MAX_PRICE,
    NUMBER,
    SURVIVOR,
    cell_sql,
    collect_rejects,
    map_distinct,
    slug_or_none,
)


def import_products(cursor: Any, at: dict[str, int], width: int) -> tuple[dict[str, int], list[Any]]:
    """Upsert the good rows of ``import_cells`` as products; returns counts and the rejected rows."""
    cell = cell_sql(at)
    given = lambda name: name in at  # noqa: E731
    map_distinct(cursor, "import_categories", "text", cell("category"), slug_or_none)
    price = cell("price")
    cursor.execute(
        f"""CREATE TEMP TABLE import_records ON COMMIT DROP AS
            SELECT row_no, sku, name, description, price_text, category_text, k.value AS category,
                   CASE
                     WHEN sku = '' OR name = '' THEN 'product_id and name are required'
                     WHEN length(sku) > 64 THEN 'product id longer than 64 characters'
                     WHEN length(name) > 200 THEN 'name longer than 200 characters'
                     WHEN price_text <> '' AND price_text !~ {NUMBER}
                          THEN format('price %L is not a number', left(price_text, 40))
                     WHEN price_text <> '' AND price_text::numeric < 0 THEN 'negative price'
                     WHEN price_text <> '' AND price_text::numeric > {MAX_PRICE} THEN 'price too large'
                     WHEN length(category_text) > 64 OR (category_text <> '' AND k.value IS NULL)
                          THEN format('category %L cannot be a code', left(category_text, 40))
                   END AS reason
            FROM (SELECT c.row_no, {cell("product_id")} AS sku, {cell("name")} AS name,
                         {cell("description") if given("description") else "NULL"} AS description,
                         {price} AS price_text, {cell("category")} AS category_text
                  FROM import_cells c OFFSET 0) f
            LEFT JOIN import_categories k ON k.text = f.category_text"""  # noqa: S608 - fixed pieces
    )
    rejected = collect_rejects(cursor, "import_records", width)
    cursor.execute(
        """CREATE TEMP TABLE import_latest ON COMMIT DROP AS
           SELECT DISTINCT ON (sku) sku, name, nullif(description, '') AS description,
                  nullif(category, '') AS category,
                  CASE WHEN price_text <> '' THEN price_text::numeric(10, 2) END AS price
           FROM import_records WHERE reason IS NULL ORDER BY sku, row_no DESC"""
    )
    cursor.execute(
        """INSERT INTO catalog_category (code, name, sensitive, sensitive_label, is_sensitive, masked_as)
           SELECT DISTINCT code, initcap(replace(code, '-', ' ')), false, '', false, ''
           FROM (SELECT coalesce(category, 'imported') AS code FROM import_latest) c
           ON CONFLICT (code) DO NOTHING"""
    )
    cursor.execute(
        """UPDATE catalog_product p
           SET name = l.name, description = coalesce(l.description, p.description),
               price = coalesce(l.price, p.price), category_id = coalesce(c.id, p.category_id),
               updated_at = now()
           FROM import_latest l LEFT JOIN catalog_category c ON c.code = l.category
           WHERE p.sku = l.sku
             AND (p.name, p.description, p.price, p.category_id) IS DISTINCT FROM
                 (l.name, coalesce(l.description, p.description), coalesce(l.price, p.price),
                  coalesce(c.id, p.category_id))"""
    )
    updated = cursor.rowcount
    cursor.execute(
        """INSERT INTO catalog_product (sku, name, description, price, currency, replenishable, is_active,
                                        created_at, updated_at, category_id)
           SELECT l.sku, l.name, coalesce(l.description, ''), coalesce(l.price, 0), 'GBP', false, true,
                  now(), now(), c.id
           FROM import_latest l JOIN catalog_category c ON c.code = coalesce(l.category, 'imported')
           ON CONFLICT (sku) DO NOTHING"""
    )
    created = cursor.rowcount
    cursor.execute("SELECT count(*) FROM import_latest")
    (distinct,) = cursor.fetchone()
    return {"created": created, "updated": updated, "unchanged": distinct - created - updated}, rejected


def import_customers(
    cursor: Any, at: dict[str, int], width: int, *, source: str
) -> tuple[dict[str, int], list[Any]]:
    """Upsert the good rows of ``import_cells`` as customers; returns counts and the rejected rows."""
    cell = cell_sql(at)
    region = "coalesce(s.country, '')"
    map_distinct(cursor, "import_emails", "text", cell("email"), _normalised(IdentifierKind.EMAIL))
    map_distinct(cursor, "import_loyalty", "text", cell("loyalty"), _normalised(IdentifierKind.LOYALTY))
    map_distinct(
        cursor,
        "import_phones",
        "text",
        f"{cell('phone')} || '|' || {region}",
        _phone,
        joins="LEFT JOIN stores_store s ON s.code = " + cell("home_store"),
    )
    names = {
        name: cell(name) if name in at else "NULL" for name in ("given_name", "family_name", "home_store")
    }
    cursor.execute(
        f"""CREATE TEMP TABLE import_records ON COMMIT DROP AS
            SELECT f.row_no, f.external, f.given_name, f.family_name, s.id AS home_store_id,
                   e.value AS email, p.value AS phone, l.value AS loyalty,
                   CASE
                     WHEN f.external = '' THEN 'customer_id is required'
                     WHEN length(f.external) > 128 THEN 'customer id longer than 128 characters'
                     WHEN length(f.given_name) > 80 OR length(f.family_name) > 80
                          THEN 'given_name or family_name longer than 80 characters'
                     WHEN coalesce(f.home_store, '') <> '' AND s.id IS NULL
                          THEN format('unknown store %L', f.home_store)
                     WHEN e.reason IS NOT NULL THEN 'email: ' || e.reason
                     WHEN p.reason IS NOT NULL THEN 'phone: ' || p.reason
                     WHEN l.reason IS NOT NULL THEN 'loyalty: ' || l.reason
                   END AS reason
            FROM (SELECT c.row_no, {cell("customer_id")} AS external, {names["given_name"]} AS given_name,
                         {names["family_name"]} AS family_name, {names["home_store"]} AS home_store,
                         {cell("email")} AS email_text, {cell("phone")} AS phone_text,
                         {cell("loyalty")} AS loyalty_text
                  FROM import_cells c OFFSET 0) f
            LEFT JOIN stores_store s ON s.code = f.home_store
            LEFT JOIN import_emails e ON e.text = f.email_text
            LEFT JOIN import_phones p ON p.text = f.phone_text || '|' || {region}
            LEFT JOIN import_loyalty l ON l.text = f.loyalty_text"""  # noqa: S608 - fixed pieces
    )
    rejected = collect_rejects(cursor, "import_records", width)
    # One row per customer id (the last), with the profile each of her identifiers names today.
    owners = ",\n".join(
        f"""(SELECT {SURVIVOR} FROM customers_customeridentifier i
             JOIN customers_customer c ON c.id = i.customer_id
             WHERE i.kind = '{kind}' AND i.namespace = {namespace} AND i.value = r.{column}) AS by_{kind}"""  # noqa: S608
        for kind, namespace, column in (
            ("external", "%(source)s", "external"),
            ("email", "''", "email"),
            ("phone", "''", "phone"),
            ("loyalty", "''", "loyalty"),
        )
    )
    cursor.execute(
        f"""CREATE TEMP TABLE import_people ON COMMIT DROP AS
           SELECT r.*, {owners},
                  NULL::bigint AS customer_id, false AS created
           FROM (SELECT DISTINCT ON (external) * FROM import_records WHERE reason IS NULL
                 ORDER BY external, row_no DESC) r""",  # noqa: S608 - fixed pieces
        {"source": source},
    )
    cursor.execute(
        """UPDATE import_people SET customer_id = coalesce(by_external, by_email, by_phone, by_loyalty)"""
    )
    cursor.execute(
        """UPDATE import_people
           SET customer_id = nextval(pg_get_serial_sequence('customers_customer', 'id')), created = true
           WHERE customer_id IS NULL"""
    )
    created = cursor.rowcount
    cursor.execute(
        """INSERT INTO customers_customer (id, public_id, given_name, family_name, preferred_name, locale,
                                           country, source, home_store_id, created_at, updated_at)
           SELECT p.customer_id, gen_random_uuid(), coalesce(p.given_name, ''), coalesce(p.family_name, ''),
                  '', '', coalesce(s.country, ''), 'import', p.home_store_id, now(), now()
           FROM import_people p LEFT JOIN stores_store s ON s.id = p.home_store_id WHERE p.created"""
    )
    # A profile already here takes the names and home store the file gives (an empty cell changes nothing).
    updated = record_events_sql(
        actor_kind=f"import:{source}",
        ctes="""WITH changed AS (
               UPDATE customers_customer c
               SET given_name = coalesce(nullif(p.given_name, ''), c.given_name),
                   family_name = coalesce(nullif(p.family_name, ''), c.family_name),
                   home_store_id = coalesce(p.home_store_id, c.home_store_id), updated_at = now()
               FROM import_people p
               WHERE c.id = p.customer_id AND NOT p.created
                 AND (c.given_name, c.family_name, c.home_store_id) IS DISTINCT FROM
                     (coalesce(nullif(p.given_name, ''), c.given_name),
                      coalesce(nullif(p.family_name, ''), c.family_name),
                      coalesce(p.home_store_id, c.home_store_id))
               RETURNING c.id)""",
        rows="""SELECT 'customer.updated' AS action, id AS customer_id,
                       '{"fields": ["profile"]}'::jsonb AS detail FROM changed""",
    )
    cursor.execute(
        """CREATE TEMP TABLE import_wanted ON COMMIT DROP AS
           SELECT row_no, customer_id, kind, namespace, value
           FROM import_people,
                LATERAL (VALUES ('external', %(source)s, external), ('email', '', email),
                                ('phone', '', phone), ('loyalty', '', loyalty)) v (kind, namespace, value)
           WHERE value IS NOT NULL""",
        {"source": source},
    )
    # In key order (then the file's), as every writer inserts them: the first row naming one wins.
    record_events_sql(
        actor_kind=f"import:{source}",
        ctes="""WITH added AS (
               INSERT INTO customers_customeridentifier
                   (customer_id, kind, namespace, value, is_primary, created_at)
               SELECT customer_id, kind, namespace, value, false, now() FROM import_wanted
               ORDER BY kind, namespace, value, row_no
               ON CONFLICT (kind, namespace, value) DO NOTHING
               RETURNING customer_id, kind)""",
        rows="""SELECT CASE WHEN p.created THEN 'customer.created_from_import'
                       ELSE 'customer.identifiers_added' END AS action,
                  a.customer_id,
                  jsonb_build_object('kinds', array_agg(DISTINCT a.kind ORDER BY a.kind)) AS detail
           FROM added a JOIN import_people p ON p.customer_id = a.customer_id
           GROUP BY a.customer_id, p.created""",
    )
    # Identifiers another profile has (from before, or from an earlier row of this file): the two are
    # queued for review, never merged by a file.
    cursor.execute(
        f"""INSERT INTO identity_duplicatecandidate (first_id, second_id, score, evidence, status, found_at)
           SELECT least(w.customer_id, o.id), greatest(w.customer_id, o.id), 1.0,
                  jsonb_build_object(
                      'signals', array_agg(DISTINCT 'shared_' || w.kind ORDER BY 'shared_' || w.kind),
                      'source', %(label)s),
                  'open', now()
           FROM import_wanted w
           JOIN customers_customeridentifier i
             ON i.kind = w.kind AND i.namespace = w.namespace AND i.value = w.value
           JOIN customers_customer c ON c.id = i.customer_id
           CROSS JOIN LATERAL (SELECT {SURVIVOR} AS id) o
           WHERE o.id <> w.customer_id
           GROUP BY least(w.customer_id, o.id), greatest(w.customer_id, o.id)
           ON CONFLICT (first_id, second_id) DO NOTHING""",  # noqa: S608 - fixed pieces
        {"label": f"Customer file ({source})"},
    )
    queued = cursor.rowcount
    return {"created": created, "updated": updated, "pairs_queued": queued}, rejected


def _normalised(kind: str) -> Any:
    def convert(text: str) -> tuple[str | None, str | None]:
        if not text:
            return None, None
        try:
            return normalise(kind, text), None
        except InvalidIdentifier as error:
            return None, str(error)

    return convert


def _phone(text: str) -> tuple[str | None, str | None]:
    raw, _, region = text.rpartition("|")
    if not raw:
        return None, None
    try:
        return normalise(IdentifierKind.PHONE, raw, default_region=region or None), None
    except InvalidIdentifier as error:
        return None, str(error)
