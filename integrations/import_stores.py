"""A stores file: ``store_id,name,country,timezone,currency`` plus any of ``city,address,locale``,
its rows checked here in SQL like the other files, the good ones written set-based by
``stores.services.upsert_stores``.

A store already here (by its code, the file's ``store_id``) takes the values the file gives; an empty
or missing ``city``, ``address`` or ``locale`` leaves hers as it is. A new one's staff pages are in its
country's locale unless ``locale`` says otherwise. Country and currency codes are read in either
case (``gb``, ``eur``), a locale with ``_`` or ``-`` (``fr_FR``). A store id twice: its last row counts.
"""

from collections.abc import Callable
from typing import Any

from integrations.import_checks import STORE_CODE, cell_sql, collect_rejects, map_distinct
from stores.services import country_problem, currency_problem, locale_problem, timezone_problem, upsert_stores

REQUIRED = ("store_id", "name", "country", "timezone", "currency")
OPTIONAL = ("city", "address", "locale")


def import_stores(
    cursor: Any, at: dict[str, int], width: int, *, source: str
) -> tuple[dict[str, int], list[Any]]:
    """Upsert the good rows of ``import_cells`` as stores; returns counts and the rejected rows."""
    cell = cell_sql(at)
    given = {name: cell(name) if name in at else "NULL" for name in OPTIONAL}
    checks = {
        "country": (f"upper({cell('country')})", country_problem),
        "currency": (f"upper({cell('currency')})", currency_problem),
        "timezone": (cell("timezone"), timezone_problem),
        "locale": (f"replace(lower({cell('locale')}), '_', '-')", locale_problem),
    }
    for name, (field, problem) in checks.items():
        map_distinct(cursor, f"import_{name}_codes", "text", field, _checked(problem))
    cursor.execute(
        f"""CREATE TEMP TABLE import_records ON COMMIT DROP AS
            SELECT f.row_no, f.code, f.name, n.value AS country, z.value AS timezone, m.value AS currency,
                   nullif(f.city, '') AS city, nullif(f.address, '') AS address, l.value AS locale,
                   CASE
                     WHEN f.code = '' OR f.name = '' OR f.country = '' OR f.timezone = '' OR f.currency = ''
                          THEN 'store_id, name, country, timezone and currency are required'
                     WHEN f.code !~ {STORE_CODE}
                          THEN format('store id %L is not a store code (letters, digits, - and _, up to 32)',
                                      left(f.code, 40))
                     WHEN length(f.name) > 120 THEN 'name longer than 120 characters'
                     WHEN length(f.city) > 80 THEN 'city longer than 80 characters'
                     WHEN n.reason IS NOT NULL THEN n.reason
                     WHEN m.reason IS NOT NULL THEN m.reason
                     WHEN z.reason IS NOT NULL THEN z.reason
                     WHEN l.reason IS NOT NULL THEN l.reason
                   END AS reason
            FROM (SELECT c.row_no, {cell("store_id")} AS code, {cell("name")} AS name,
                         {checks["country"][0]} AS country, {checks["currency"][0]} AS currency,
                         {checks["timezone"][0]} AS timezone, {checks["locale"][0]} AS locale,
                         {given["city"]} AS city, {given["address"]} AS address
                  FROM import_cells c OFFSET 0) f
            LEFT JOIN import_country_codes n ON n.text = f.country
            LEFT JOIN import_currency_codes m ON m.text = f.currency
            LEFT JOIN import_timezone_codes z ON z.text = f.timezone
            LEFT JOIN import_locale_codes l ON l.text = f.locale"""  # noqa: S608 - fixed pieces
    )
    rejected = collect_rejects(cursor, "import_records", width)
    cursor.execute(
        """CREATE TEMP TABLE import_latest ON COMMIT DROP AS
           SELECT DISTINCT ON (code) code, name, country, timezone, currency, city, address, locale
           FROM import_records WHERE reason IS NULL ORDER BY code, row_no DESC"""
    )
    return upsert_stores("import_latest", actor_kind=f"import:{source}"), rejected


def _checked(problem: Callable[[str], str | None]) -> Callable[[str], tuple[str | None, str | None]]:
    """A converter for ``map_distinct``: the value as it is, or why it cannot be (nothing for '')."""

    def convert(text: str) -> tuple[str | None, str | None]:
        if not text:
            return None, None
        reason = problem(text)
        return (None, reason) if reason else (text, None)

    return convert
