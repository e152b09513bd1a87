"""Product and customer files for backfills: their rows checked here in SQL, like sales files, and the
good ones written set-based by ``catalog.staged`` and ``identity.staged``.

- products: ``product_id,name`` plus any of ``category,price,description,image_url`` (the picture:
  an https URL on one of ``PRODUCT_IMAGE_ORIGINS``, ``catalog.images``), ``replenishable`` (bought
  again when used up: true/false, yes/no, 1/0, in any case), ``replenish_after_days`` (its cycle, a
  whole number of days, which makes it replenishable) and ``sensitive`` (the same words). A product
  already here gets the values the file gives (an empty or missing cell leaves hers as it is;
  ``replenishable=false`` drops her cycle); a new one gets the ``imported`` category, a price of 0
  and no cycle where the file says nothing, and whether it is bought again (and how often) is then
  learnt from the sales (``suggestions.engine.replenishment``). A product id twice in the file: its
  last row counts.
  Sensitivity belongs to categories (``catalog.Category``: what staff see masked and suggestions
  never show), so ``sensitive=true`` marks the product's category sensitive, with its subtree
  (``integrations.sensitivity``), and needs one other than ``imported``; ``sensitive=false`` never
  unmarks a category (``manage.py flag_sensitive_categories --unflag`` does).
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

from catalog.images import image_url_problem
from catalog.staged import upsert_products
from customers.identifiers import IdentifierKind, InvalidIdentifier, normalise
from identity.staged import upsert_customer_records
from integrations.csv_rows import IMPORTED_CATEGORY
from integrations.import_checks import (
    MAX_DAYS,
    MAX_PRICE,
    NUMBER,
    WHOLE,
    cell_sql,
    collect_rejects,
    map_distinct,
    missing_stores,
    slug_or_none,
    unknown_store,
)
from integrations.sensitivity import mark_categories


def import_products(
    cursor: Any, at: dict[str, int], width: int, *, source: str
) -> tuple[dict[str, int], list[Any]]:
    """Upsert the good rows of ``import_cells`` as products, and mark sensitive the categories of
    those said to be; returns counts and the rejected rows."""
    cell = cell_sql(at)
    given = lambda name: name in at  # noqa: E731
    map_distinct(cursor, "import_categories", "text", cell("category"), slug_or_none)
    map_distinct(cursor, "import_images", "text", cell("image_url"), _image_url)
    price = cell("price")
    flags = {name: f"lower({cell(name)})" for name in ("replenishable", "sensitive")}
    # The category a product would be in: the file's, else hers, else the default (for sensitive=true).
    category_of = f"""coalesce(nullif(k.value, ''),
                              (SELECT c.code FROM catalog_product p
                               JOIN catalog_category c ON c.id = p.category_id WHERE p.sku = f.sku),
                              '{IMPORTED_CATEGORY}')"""  # noqa: S608 - fixed pieces
    cursor.execute(
        f"""CREATE TEMP TABLE import_records ON COMMIT DROP AS
            SELECT f.row_no, f.sku, f.name, f.description, f.price_text, f.category_text, k.value AS category,
                   i.value AS image_url, f.replenishable, f.days_text, f.sensitive,
                   CASE
                     WHEN f.sku = '' OR f.name = '' THEN 'product_id and name are required'
                     WHEN length(f.sku) > 64 THEN 'product id longer than 64 characters'
                     WHEN length(f.name) > 200 THEN 'name longer than 200 characters'
                     WHEN f.price_text <> '' AND f.price_text !~ {NUMBER}
                          THEN format('price %L is not a number', left(f.price_text, 40))
                     WHEN f.price_text <> '' AND f.price_text::numeric < 0 THEN 'negative price'
                     WHEN f.price_text <> '' AND f.price_text::numeric > {MAX_PRICE} THEN 'price too large'
                     WHEN length(f.category_text) > 64 OR (f.category_text <> '' AND k.value IS NULL)
                          THEN format('category %L cannot be a code', left(f.category_text, 40))
                     WHEN i.reason IS NOT NULL THEN 'image_url ' || i.reason
                     WHEN f.replenishable_text <> '' AND f.replenishable IS NULL
                          THEN format('replenishable %L is not true or false (yes/no, 1/0)',
                                      left(f.replenishable_text, 40))
                     WHEN f.days_text <> '' AND f.days_text !~ {WHOLE}
                          THEN format('replenish_after_days %L is not a whole number of days',
                                      left(f.days_text, 40))
                     WHEN f.days_text <> '' AND NOT f.days_text::numeric BETWEEN 1 AND {MAX_DAYS}
                          THEN 'replenish_after_days must be from 1 to {MAX_DAYS:,}'
                     WHEN f.days_text <> '' AND NOT f.replenishable
                          THEN 'replenish_after_days is for a replenishable product: replenishable is false'
                     WHEN f.sensitive_text <> '' AND f.sensitive IS NULL
                          THEN format('sensitive %L is not true or false (yes/no, 1/0)',
                                      left(f.sensitive_text, 40))
                     WHEN f.sensitive AND {category_of} = '{IMPORTED_CATEGORY}'
                          THEN 'sensitive needs a category: it marks the product''s category sensitive, '
                               'and {IMPORTED_CATEGORY} holds every product imported without one'
                   END AS reason
            FROM (SELECT f.*, {_yes_no("f.replenishable_text")} AS replenishable,
                         {_yes_no("f.sensitive_text")} AS sensitive
                  FROM (SELECT c.row_no, {cell("product_id")} AS sku, {cell("name")} AS name,
                               {cell("description") if given("description") else "NULL"} AS description,
                               {price} AS price_text, {cell("category")} AS category_text,
                               {cell("image_url")} AS image_text,
                               {flags["replenishable"]} AS replenishable_text,
                               {cell("replenish_after_days")} AS days_text,
                               {flags["sensitive"]} AS sensitive_text
                        FROM import_cells c OFFSET 0) f) f
            LEFT JOIN import_categories k ON k.text = f.category_text
            LEFT JOIN import_images i ON i.text = f.image_text"""  # noqa: S608 - fixed pieces
    )
    rejected = collect_rejects(cursor, "import_records", width)
    # A cycle makes a product replenishable; replenishable=false or nothing said: as it is.
    cursor.execute(
        """CREATE TEMP TABLE import_latest ON COMMIT DROP AS
           SELECT DISTINCT ON (sku) sku, name, nullif(description, '') AS description,
                  nullif(category, '') AS category, nullif(image_url, '') AS image_url,
                  CASE WHEN price_text <> '' THEN price_text::numeric(10, 2) END AS price,
                  CASE WHEN days_text <> '' THEN true ELSE replenishable END AS replenishable,
                  CASE WHEN days_text <> '' THEN days_text::int END AS replenish_after_days,
                  coalesce(sensitive, false) AS sensitive
           FROM import_records WHERE reason IS NULL ORDER BY sku, row_no DESC"""
    )
    counts = upsert_products("import_latest", default_category=IMPORTED_CATEGORY)
    if given("sensitive"):
        counts["categories_marked_sensitive"] = _mark_sensitive(cursor, source)
    return counts, rejected


def _yes_no(text: str) -> str:
    """SQL for a flag's value from its cell (lower-cased): true, false, or NULL (empty, or neither)."""
    return f"""CASE WHEN {text} IN ('true', 'yes', '1') THEN true
                    WHEN {text} IN ('false', 'no', '0') THEN false END"""


def _mark_sensitive(cursor: Any, source: str) -> int:
    """Mark sensitive the categories of the products said to be (``sensitive=false`` never unmarks
    one); returns how many were not sensitive before."""
    cursor.execute(
        """SELECT DISTINCT c.code FROM import_latest l
           JOIN catalog_product p ON p.sku = l.sku JOIN catalog_category c ON c.id = p.category_id
           WHERE l.sensitive AND NOT c.sensitive"""
    )
    codes = [code for (code,) in cursor.fetchall()]
    if not codes:
        return 0
    return len(mark_categories(codes=codes, actor_kind=f"import:{source}").categories.changed)


def import_customers(
    cursor: Any, at: dict[str, int], width: int, *, source: str
) -> tuple[dict[str, int], list[Any], list[str]]:
    """Upsert the good rows of ``import_cells`` as customers; returns counts, the rejected rows and
    the codes of the home stores they named that are not here."""
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
                   f.home_store AS store,
                   e.value AS email, p.value AS phone, l.value AS loyalty,
                   CASE
                     WHEN f.external = '' THEN 'customer_id is required'
                     WHEN length(f.external) > 128 THEN 'customer id longer than 128 characters'
                     WHEN length(f.given_name) > 80 OR length(f.family_name) > 80
                          THEN 'given_name or family_name longer than 80 characters'
                     WHEN coalesce(f.home_store, '') <> '' AND s.id IS NULL
                          THEN {unknown_store("f.home_store")}
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
    missing = missing_stores(cursor, "import_records") if rejected else []
    return upsert_customer_records("import_records", namespace=source), rejected, missing


def _image_url(text: str) -> tuple[str | None, str | None]:
    problem = image_url_problem(text)
    return (None, problem) if problem else (text, None)


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
