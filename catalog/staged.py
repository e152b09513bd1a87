"""Products from rows a file staged in the database, set-based: the categories they name are made if
missing (not sensitive; a manager marks them later), and new products priced in GBP until told."""

from typing import Any

from django.db import connection, transaction


@transaction.atomic
def add_missing_products(staged: str, *, default_category: str) -> int:
    """Create the products of the table ``staged`` (sku, description, price, currency, category: one
    row per product; NULL price: 0, NULL currency: GBP) that the catalogue lacks, named by their
    description (else their SKU), whether they are bought again left to be learnt from the sales; a
    product already here is left as it is. Returns how many were created."""
    with connection.cursor() as cursor:
        _add_categories(cursor, staged, default_category)
        cursor.execute(
            f"""INSERT INTO catalog_product (sku, name, description, price, currency, replenishable,
                                            is_active, created_at, updated_at, category_id)
               SELECT p.sku, coalesce(nullif(p.description, ''), p.sku), '', coalesce(p.price, 0),
                      coalesce(p.currency, 'GBP'), NULL, true, now(), now(), c.id
               FROM {staged} p JOIN catalog_category c ON c.code = coalesce(p.category, %s)
               ON CONFLICT (sku) DO NOTHING""",  # noqa: S608 - a fixed name
            [default_category],
        )
        return cursor.rowcount


@transaction.atomic
def upsert_products(staged: str, *, default_category: str) -> dict[str, int]:
    """Bring the catalogue in line with the table ``staged`` (sku, name, description, price,
    category, image_url, replenishable, replenish_after_days; one row per product; NULL: as it is):
    a product already here takes the values given, a new one is created (with ``default_category``,
    a price of 0 and replenishment learnt from the sales, where nothing is given). A product that is
    not replenishable has no cycle. Returns counts: created, updated, unchanged."""
    with connection.cursor() as cursor:
        _add_categories(cursor, staged, default_category)
        cursor.execute(
            f"""UPDATE catalog_product p
               SET name = l.name, description = coalesce(l.description, p.description),
                   price = coalesce(l.price, p.price), category_id = coalesce(c.id, p.category_id),
                   image_url = coalesce(l.image_url, p.image_url),
                   replenishable = coalesce(l.replenishable, p.replenishable),
                   replenish_after_days = {_CYCLE}, updated_at = now()
               FROM {staged} l LEFT JOIN catalog_category c ON c.code = l.category
               WHERE p.sku = l.sku
                 AND (p.name, p.description, p.price, p.category_id, p.image_url, p.replenishable,
                      p.replenish_after_days) IS DISTINCT FROM
                     (l.name, coalesce(l.description, p.description), coalesce(l.price, p.price),
                      coalesce(c.id, p.category_id), coalesce(l.image_url, p.image_url),
                      coalesce(l.replenishable, p.replenishable), {_CYCLE})"""  # noqa: S608 - fixed pieces
        )
        updated = cursor.rowcount
        cursor.execute(
            f"""INSERT INTO catalog_product (sku, name, description, price, currency, replenishable,
                                            replenish_after_days, is_active, created_at, updated_at,
                                            category_id, image_url)
               SELECT l.sku, l.name, coalesce(l.description, ''), coalesce(l.price, 0), 'GBP',
                      l.replenishable,
                      CASE WHEN l.replenishable THEN l.replenish_after_days END, true,
                      now(), now(), c.id, coalesce(l.image_url, '')
               FROM {staged} l JOIN catalog_category c ON c.code = coalesce(l.category, %s)
               ON CONFLICT (sku) DO NOTHING""",  # noqa: S608 - a fixed name
            [default_category],
        )
        created = cursor.rowcount
        cursor.execute(f"SELECT count(*) FROM {staged}")  # noqa: S608 - a fixed name
        (distinct,) = cursor.fetchone()
    return {"created": created, "updated": updated, "unchanged": distinct - created - updated}


# A product's cycle after an update: the one given, else hers, and none unless it is replenishable.
_CYCLE = """CASE WHEN coalesce(l.replenishable, p.replenishable)
                 THEN coalesce(l.replenish_after_days, p.replenish_after_days) END"""


def _add_categories(cursor: Any, staged: str, default_category: str) -> None:
    """The categories ``staged`` names (else ``default_category``) that the catalogue lacks, named
    from their codes."""
    cursor.execute(
        f"""INSERT INTO catalog_category (code, name, sensitive, sensitive_label, is_sensitive, masked_as)
           SELECT DISTINCT code, initcap(replace(code, '-', ' ')), false, '', false, ''
           FROM (SELECT coalesce(category, %s) AS code FROM {staged}) c
           ON CONFLICT (code) DO NOTHING""",  # noqa: S608 - a fixed name
        [default_category],
    )
