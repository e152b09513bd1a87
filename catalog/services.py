from django.db import connection, transaction

from catalog.models import Category

DEFAULT_MASK = "personal item"


@transaction.atomic
def recompute_category_sensitivity() -> int:
    """Push each sensitive flag and label down its subtree; returns the number of rows changed.

    A category is sensitive when it or any ancestor is; it is masked with the label of its nearest
    sensitive ancestor that has one. The tree is small (hundreds of nodes): one recursive query.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH RECURSIVE tree AS (
                SELECT id, sensitive AS eff, CASE WHEN sensitive THEN sensitive_label ELSE '' END AS label
                FROM {Category._meta.db_table} WHERE parent_id IS NULL
                UNION ALL
                SELECT c.id, tree.eff OR c.sensitive,
                       CASE WHEN c.sensitive AND c.sensitive_label <> '' THEN c.sensitive_label
                            ELSE tree.label END
                FROM {Category._meta.db_table} c JOIN tree ON c.parent_id = tree.id
            )
            UPDATE {Category._meta.db_table} AS c
            SET is_sensitive = tree.eff,
                masked_as = CASE WHEN tree.eff THEN COALESCE(NULLIF(tree.label, ''), %s) ELSE '' END
            FROM tree
            WHERE c.id = tree.id
              AND (c.is_sensitive, c.masked_as) IS DISTINCT FROM
                  (tree.eff, CASE WHEN tree.eff THEN COALESCE(NULLIF(tree.label, ''), %s) ELSE '' END)
            """,  # noqa: S608 - table names come from model metadata, values are parameters
            [DEFAULT_MASK, DEFAULT_MASK],
        )
        return cursor.rowcount


@transaction.atomic
def save_category(
    *,
    code: str,
    name: str,
    parent: Category | None = None,
    sensitive: bool = False,
    sensitive_label: str = "",
) -> Category:
    """Create or update a category by code, then re-derive sensitivity for the tree."""
    ancestor = parent
    while ancestor is not None:
        if ancestor.code == code:
            raise ValueError(f"Category {code!r} cannot sit under its own subtree.")
        ancestor = ancestor.parent
    category, _ = Category.objects.update_or_create(
        code=code,
        defaults={
            "name": name,
            "parent": parent,
            "sensitive": sensitive,
            "sensitive_label": sensitive_label,
        },
    )
    recompute_category_sensitivity()
    category.refresh_from_db()
    return category
