"""Every write of the catalogue: categories (with the sensitivity their subtree inherits), products
with their variants and brands, and stock levels."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from audit.services import Actor, Event, record_events
from catalog.models import Brand, Category, Product, ProductVariant, StockLevel
from common.upsert import CREATED, UNCHANGED, UPDATED, Refused, upsert
from stores.models import Store

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


@dataclass(frozen=True)
class Flagged:
    """What ``flag_sensitive_categories`` did, by category code."""

    changed: list[str]
    unchanged: list[str]
    """Already as asked."""
    unknown: list[str]
    """No such category."""
    still_sensitive: list[str]
    """Unflagged, but sensitive still: under a sensitive category."""


LABEL_LENGTH = Category._meta.get_field("sensitive_label").max_length or 60


@transaction.atomic
def flag_sensitive_categories(
    *,
    codes: Sequence[str],
    sensitive: bool = True,
    label: str | None = None,
    by: Actor,
    actor_kind: str | None = None,
) -> Flagged:
    """Mark the categories of ``codes`` sensitive, and so their subtrees (``sensitive=False``: unmark
    them; a subtree stays sensitive under a sensitive ancestor). ``label`` is what associates see
    instead of their products ("health item"); None leaves each one's as it is (a category without
    one is masked as its nearest sensitive ancestor's, else as "personal item"). Codes of no category
    are reported, not fatal for the others. Set-based; each category changed is audited
    (``category.flagged_sensitive`` or ``category.unflagged_sensitive``)."""
    if label is not None and (not label.strip() or len(label) > LABEL_LENGTH):
        raise ValueError(f"A label is 1 to {LABEL_LENGTH} characters, not {len(label.strip())}.")
    wanted = list(dict.fromkeys(codes))
    table = Category._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""UPDATE {table}
               SET sensitive = %(sensitive)s, sensitive_label = coalesce(%(label)s, sensitive_label)
               WHERE code = ANY(%(codes)s)
                 AND (sensitive, sensitive_label) IS DISTINCT FROM
                     (%(sensitive)s, coalesce(%(label)s, sensitive_label))
               RETURNING id, code, sensitive_label""",  # noqa: S608 - the table's name from the model
            {"codes": wanted, "sensitive": sensitive, "label": label.strip() if label else None},
        )
        changed = {code: (pk, mask) for pk, code, mask in cursor.fetchall()}
        recompute_category_sensitivity()
        cursor.execute(
            f"SELECT code, is_sensitive FROM {table} WHERE code = ANY(%s)",  # noqa: S608 - as above
            [wanted],
        )
        known = dict(cursor.fetchall())
    action = "category.flagged_sensitive" if sensitive else "category.unflagged_sensitive"
    record_events(
        (
            Event(action, detail={"category_id": pk, "code": code, "label": mask})
            for code, (pk, mask) in changed.items()
        ),
        by=by,
        actor_kind=actor_kind,
    )
    return Flagged(
        changed=[code for code in wanted if code in changed],
        unchanged=[code for code in wanted if code in known and code not in changed],
        unknown=[code for code in wanted if code not in known],
        still_sensitive=[code for code in wanted if not sensitive and known.get(code)],
    )


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


def write_category(
    *,
    code: str,
    name: str,
    parent: Category | None,
    sensitive: bool,
    sensitive_label: str,
    replenishable: bool | None = None,
    replenish_after_days: int | None = None,
) -> tuple[str, Category]:
    """Create or update a category by code; refused under its own subtree. Writing a batch, call
    ``recompute_category_sensitivity`` once after it, for the subtrees to inherit their flags."""
    ancestor = parent
    while ancestor is not None:
        if ancestor.code == code:
            raise Refused({"parent_code": ["A category cannot be its own ancestor."]})
        ancestor = ancestor.parent
    return upsert(
        Category,
        {"code": code},
        {
            "name": name,
            "parent": parent,
            "sensitive": sensitive,
            "sensitive_label": sensitive_label,
            "replenishable": replenishable,
            "replenish_after_days": replenish_after_days if replenishable else None,
        },
    )


@dataclass(frozen=True)
class NewVariant:
    sku: str
    colour: str = ""
    size: str = ""


def write_product(
    *, sku: str, category: Category, brand: str, variants: Sequence[NewVariant], **values: Any
) -> tuple[str, Product]:
    """Create or update a product by SKU (``values``: its other fields) with its brand, found by name
    or made, and its variants; variants not listed are kept. Refused when a variant's SKU belongs to
    another product, or another variant of this one has the same colour and size."""
    status, product = upsert(Product, {"sku": sku}, {**values, "category": category, "brand": _brand(brand)})
    for n, variant in enumerate(variants):
        if ProductVariant.objects.filter(sku=variant.sku).exclude(product=product).exists():
            raise Refused({f"variants.{n}.sku": ["This variant SKU belongs to another product."]})
        clash = (
            ProductVariant.objects.filter(product=product, colour=variant.colour, size=variant.size)
            .exclude(sku=variant.sku)
            .exists()
        )
        if clash:
            raise Refused({f"variants.{n}": ["Another variant of this product has this colour and size."]})
        done, _ = upsert(
            ProductVariant,
            {"sku": variant.sku},
            {"product": product, "colour": variant.colour, "size": variant.size},
        )
        if status == UNCHANGED and done != UNCHANGED:
            status = UPDATED
    return status, product


def _brand(name: str) -> Brand | None:
    name = " ".join(name.split())
    if not name:
        return None
    brand = Brand.objects.filter(name__iexact=name).first()
    if brand is not None:
        return brand
    base = slugify(name)[:100] or "brand"
    slug, n = base, 1
    while Brand.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return Brand.objects.create(name=name, slug=slug)


@dataclass(frozen=True)
class StockSet:
    """What ``set_stock`` did."""

    status: str
    """``created``, ``updated`` or ``unchanged``."""
    level: StockLevel
    before: int
    """Units on hand before (0 when the store never had any)."""

    @property
    def back_in_stock(self) -> bool:
        """From none to some."""
        return self.before == 0 < self.level.quantity


# One statement: the row locked (FOR UPDATE waits for a concurrent writer and then reads the version
# it committed, so two updates of a variant see each other's quantity as the one before theirs),
# created when there is none, changed only when it differs (``updated_at`` kept when it does not).
# A snapshot read instead (RETURNING (SELECT ...), a CTE without the lock) would see the quantity as
# it was when the statement began, before a concurrent update it then overwrites. When another
# request creates the row meanwhile, the insert yields to it and nothing is returned: ``set_stock``
# runs the statement again, whose new snapshot sees that row.
_SET_STOCK = f"""
    WITH old AS (
        SELECT id, quantity, updated_at FROM {StockLevel._meta.db_table}
        WHERE store_id = %(store)s AND variant_id = %(variant)s
        FOR UPDATE
    ), created AS (
        INSERT INTO {StockLevel._meta.db_table} (store_id, variant_id, quantity, updated_at)
        SELECT %(store)s, %(variant)s, %(quantity)s, %(now)s WHERE NOT EXISTS (SELECT FROM old)
        ON CONFLICT (store_id, variant_id) DO NOTHING
        RETURNING id, updated_at
    ), updated AS (
        UPDATE {StockLevel._meta.db_table} AS level SET quantity = %(quantity)s, updated_at = %(now)s
        FROM old WHERE level.id = old.id AND old.quantity <> %(quantity)s
        RETURNING level.id, level.updated_at
    )
    SELECT %(created)s, id, 0, updated_at FROM created
    UNION ALL
    SELECT CASE WHEN updated.id IS NULL THEN %(unchanged)s ELSE %(updated)s END,
           old.id, old.quantity, coalesce(updated.updated_at, old.updated_at)
    FROM old LEFT JOIN updated ON updated.id = old.id
"""  # noqa: S608 - the table's name from the model, values are parameters


def set_stock(*, store: Store, variant: ProductVariant, quantity: int) -> StockSet:
    """Units of ``variant`` on hand in ``store``, and how many there were: one statement, right
    under concurrent updates of the same variant."""
    params: dict[str, Any] = {
        "store": store.pk,
        "variant": variant.pk,
        "quantity": quantity,
        "created": CREATED,
        "updated": UPDATED,
        "unchanged": UNCHANGED,
    }
    with connection.cursor() as cursor:
        for _ in range(3):  # a second run sees the row another request created meanwhile
            cursor.execute(_SET_STOCK, params | {"now": timezone.now()})
            row = cursor.fetchone()
            if row is not None:
                break
        else:
            raise RuntimeError(f"The stock of variant {variant.pk} at store {store.pk} kept moving.")
    status, pk, before, updated_at = row
    level = StockLevel(pk=pk, store=store, variant=variant, quantity=quantity, updated_at=updated_at)
    level._state.adding = False
    level._state.db = connection.alias
    return StockSet(status, level, before)
