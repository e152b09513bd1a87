"""Categories, brands, products, variants and stock, as arrays the sales generator samples from."""

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.utils.text import slugify

from catalog.models import Brand, Category, Product, ProductVariant, StockLevel
from catalog.services import recompute_category_sensitivity
from common import copy as cp
from demo.generate.assortment import LEAVES
from demo.generate.catalogue_data import (
    APPAREL_COLOURS,
    BRANDS,
    COLOURS,
    DEPARTMENTS,
    NODES,
    SHOE_COLOURS,
    SIZES,
    STYLE_PRICE,
)
from demo.generate.common import DAY, Bar, Window, rng_for, sample_in_segments, segment_cumsum
from demo.generate.pictures import URL, write_pictures

VARIANT_KINDS = tuple(SIZES)  # apparel, shoes_w, shoes_m, shoes_u, one
SKU_PREFIX = ("WW", "MW", "SH", "AC", "BT", "HM", "FH", "HC")  # per department
EUR_PER_GBP = 1.17
MAX_COLOURS = 4


@dataclass(frozen=True)
class Catalogue:
    """Products (sorted by leaf) and their variants, plus what is needed to sample them fast."""

    product_ids: np.ndarray
    leaf: np.ndarray
    department: np.ndarray
    brand: np.ndarray  # index into BRANDS
    brand_ids: np.ndarray
    brand_style: np.ndarray
    brand_leaf: np.ndarray  # [B, L] True where the brand sells in that leaf
    price_gbp: np.ndarray  # cents
    price_eur: np.ndarray  # cents
    cycle: np.ndarray  # replenishment days, 0 when not replenishable
    leaf_cum: np.ndarray  # product popularity within each leaf, for sample_in_segments
    brand_leaf_cum: np.ndarray  # the same within each (brand, leaf), over brand_leaf_order
    brand_leaf_order: np.ndarray  # products sorted by (brand, leaf)
    first_variant: np.ndarray  # variant id of colour 0, size 0; variants are colour-major
    n_sizes: np.ndarray
    n_colours: np.ndarray
    variant_kind: np.ndarray  # index into VARIANT_KINDS
    colours: np.ndarray  # [P, MAX_COLOURS] indexes into COLOURS, -1 past n_colours
    leaf_ids: np.ndarray

    @property
    def count(self) -> int:
        return len(self.product_ids)


def build_catalogue(
    writer: cp.CopyWriter,
    bar: Bar,
    window: Window,
    store_ids: np.ndarray,
    seed: int,
    scale: float,
    pictures: Path | None = None,
) -> Catalogue:
    """The catalogue, and each product's picture written to ``pictures`` if given (its URL is set
    either way)."""
    rng = rng_for(seed, "catalogue")
    leaf_ids = _write_categories(writer, bar)
    brand_ids = _write_brands(writer, bar)
    brand_leaf = _brand_leaves()
    brand_style = np.array([style for _, style, _ in BRANDS])

    counts = np.array([max(2, round(leaf.products * scale)) for leaf in LEAVES])
    leaf = np.repeat(np.arange(len(LEAVES)), counts)
    n = len(leaf)
    department = np.array([x.department for x in LEAVES])[leaf]
    brand = np.empty(n, dtype=np.int64)
    for index in range(len(LEAVES)):
        rows = np.flatnonzero(leaf == index)
        sellers = np.flatnonzero(brand_leaf[:, index])
        # The house brand sells a little of everything; specialists carry their own leaves.
        weight = np.where(sellers == 0, 0.6, 1.0)
        brand[rows] = rng.choice(sellers, size=len(rows), p=weight / weight.sum())

    names, low, high = _names_and_bands(leaf, rng)
    position = rng.beta(1.6, 3.0, n)  # most products sit at the cheaper end of their band
    style_factor = np.array(STYLE_PRICE)[brand_style[brand]]
    pounds = np.exp(np.log(low) + position * (np.log(high) - np.log(low))) * style_factor
    pounds = np.clip(pounds, low * 0.6, high * 2.0)
    price_gbp = _pretty_price(pounds, step_above_100=500)
    price_eur = _pretty_price(price_gbp / 100 * EUR_PER_GBP, step_above_100=500, ending=5)
    cycles = np.array([x.cycle or 0 for x in LEAVES])[leaf]
    cycle = np.where(cycles > 0, np.round(cycles * rng.uniform(0.8, 1.3, n)), 0).astype(np.int64)
    popularity = rng.lognormal(0.0, 1.0, n)

    first_product = cp.next_id(Product)
    product_ids = np.arange(first_product, first_product + n, dtype=np.int64)
    skus = [
        f"{SKU_PREFIX[d]}{pid:06d}" for d, pid in zip(department.tolist(), product_ids.tolist(), strict=True)
    ]
    created = cp.timestamps(window.start - rng.integers(30, 900, n) * DAY)
    brand_names = [name for name, _, _ in BRANDS]
    writer.write(
        Product,
        {
            "id": cp.ints(product_ids),
            "sku": skus,
            "name": cp.texts(names),
            "brand_id": cp.ints(brand_ids[brand]),
            "category_id": cp.ints(leaf_ids[leaf]),
            "description": cp.texts(
                f"{name} by {brand_names[b]}." for name, b in zip(names, brand.tolist(), strict=True)
            ),
            "price": cp.money(price_gbp),
            "currency": cp.const("GBP", n),
            "replenishable": cp.bools(cycle > 0),
            "replenish_after_days": cp.optional_ints(cycle, cycle > 0),
            "image_url": [URL.format(sku=sku) for sku in skus],
            "is_active": cp.const("t", n),
            "created_at": created,
            "updated_at": created,
        },
        bar,
    )

    kind, n_sizes, n_colours, colours = _variant_layout(leaf, rng)
    per_product = n_sizes * n_colours
    first_variant_id = cp.next_id(ProductVariant)
    first_variant = first_variant_id + np.concatenate([[0], np.cumsum(per_product)[:-1]])
    variant_count = _write_variants(
        writer, bar, product_ids, skus, kind, n_colours, colours, first_variant_id
    )
    _write_stock(writer, bar, window, store_ids, first_variant_id, variant_count, rng)
    if pictures is not None:
        write_pictures(pictures, skus, leaf, colours[:, 0])
    recompute_category_sensitivity()

    brand_leaf_order = np.lexsort((leaf, brand))
    segments = brand[brand_leaf_order] * len(LEAVES) + leaf[brand_leaf_order]
    sold = np.zeros((len(BRANDS), len(LEAVES)), dtype=bool)
    sold[brand, leaf] = True  # what each brand really sells, which at small scales is less than BRANDS says
    return Catalogue(
        product_ids=product_ids,
        leaf=leaf,
        department=department,
        brand=brand,
        brand_ids=brand_ids,
        brand_style=brand_style,
        brand_leaf=sold,
        price_gbp=price_gbp,
        price_eur=price_eur,
        cycle=cycle,
        leaf_cum=segment_cumsum(popularity, leaf, len(LEAVES)),
        brand_leaf_cum=segment_cumsum(popularity[brand_leaf_order], segments, len(BRANDS) * len(LEAVES)),
        brand_leaf_order=brand_leaf_order,
        first_variant=first_variant,
        n_sizes=n_sizes,
        n_colours=n_colours,
        variant_kind=kind,
        colours=colours,
        leaf_ids=leaf_ids,
    )


def _write_categories(writer: cp.CopyWriter, bar: Bar) -> np.ndarray:
    rows = [(node.code, node.name, node.parent, node.sensitive_label) for node in NODES]
    rows += [(leaf.code, leaf.name, leaf.parent, leaf.sensitive_label) for leaf in LEAVES]
    first = cp.next_id(Category)
    id_of = {code: first + i for i, (code, _, _, _) in enumerate(rows)}
    n = len(rows)
    writer.write(
        Category,
        {
            "id": cp.id_range(first, n),
            "code": [code for code, _, _, _ in rows],
            "name": [name for _, name, _, _ in rows],
            "parent_id": [str(id_of[parent]) if parent else cp.NULL for _, _, parent, _ in rows],
            "sensitive": cp.bools(np.array([bool(label) for _, _, _, label in rows])),
            "sensitive_label": [label for _, _, _, label in rows],
            # Derived columns; recompute_category_sensitivity() fills them once the tree is in.
            "is_sensitive": cp.const("f", n),
            "masked_as": cp.const("", n),
        },
        bar,
    )
    return np.array([id_of[leaf.code] for leaf in LEAVES], dtype=np.int64)


def _write_brands(writer: cp.CopyWriter, bar: Bar) -> np.ndarray:
    first = cp.next_id(Brand)
    names = [name for name, _, _ in BRANDS]
    writer.write(
        Brand,
        {
            "id": cp.id_range(first, len(names)),
            "name": cp.texts(names),
            "slug": [_slug(name) for name in names],
        },
        bar,
    )
    return np.arange(first, first + len(names), dtype=np.int64)


def _brand_leaves() -> np.ndarray:
    """Which leaves each brand sells in; a department name in BRANDS stands for all its leaves."""
    matrix = np.zeros((len(BRANDS), len(LEAVES)), dtype=bool)
    codes = [leaf.code for leaf in LEAVES]
    for b, (_, _, scope) in enumerate(BRANDS):
        for token in scope:
            if token in DEPARTMENTS:
                department = DEPARTMENTS.index(token)
                matrix[b] |= np.array([leaf.department == department for leaf in LEAVES])
            else:
                matrix[b, codes.index(token)] = True
    if not matrix.any(axis=0).all():
        raise ValueError("every leaf category needs at least one brand")
    return matrix


def _slug(name: str) -> str:
    return slugify(name.replace("&", "and"))


def _variant_layout(
    leaf: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per product: its kind of sizing, how many sizes and colours, and which colours."""
    n = len(leaf)
    kind = np.array([VARIANT_KINDS.index(x.variants) for x in LEAVES])[leaf]
    n_sizes = np.array([len(SIZES[k]) for k in VARIANT_KINDS])[kind]
    is_apparel, is_shoe = kind == 0, (kind >= 1) & (kind <= 3)
    n_colours = np.ones(n, dtype=np.int64)
    n_colours[is_apparel] = rng.choice([1, 2, 3, 4], size=is_apparel.sum(), p=[0.35, 0.3, 0.2, 0.15])
    n_colours[is_shoe] = rng.choice([1, 2, 3], size=is_shoe.sum(), p=[0.4, 0.4, 0.2])
    colours = np.full((n, MAX_COLOURS), -1, dtype=np.int64)
    for mask, palette in ((is_apparel, APPAREL_COLOURS), (is_shoe, SHOE_COLOURS)):
        shuffled = np.argsort(rng.random((int(mask.sum()), len(palette))), axis=1)[:, :MAX_COLOURS]
        colours[mask] = np.array(palette)[shuffled]
    colours[np.arange(MAX_COLOURS)[None, :] >= n_colours[:, None]] = -1
    return kind, n_sizes, n_colours, colours


def _pretty_price(amount: np.ndarray, *, step_above_100: int, ending: int = 1) -> np.ndarray:
    """Shelf prices as retailers write them: £39.99 (or €46.95) below 100, round fives above."""
    cents = np.round(amount * 100).astype(np.int64)
    below = np.maximum(np.round(cents / 100).astype(np.int64) * 100 - ending, 100 - ending)
    above = np.round(cents / step_above_100).astype(np.int64) * step_above_100
    return np.where(cents < 10_000, below, above)


def _names_and_bands(leaf: np.ndarray, rng: np.random.Generator) -> tuple[list[str], np.ndarray, np.ndarray]:
    """A name from one of the leaf's families, and that family's price band."""
    names: list[str] = []
    low = np.empty(len(leaf))
    high = np.empty(len(leaf))
    for i, index in enumerate(leaf.tolist()):
        families = LEAVES[index].families
        family = families[rng.integers(len(families))]
        modifier = family.modifiers[rng.integers(len(family.modifiers))]
        base = family.bases[rng.integers(len(family.bases))]
        names.append(base if base.startswith(modifier) else f"{modifier} {base}")
        low[i], high[i] = family.low, family.high
    return names, low, high


def _write_variants(
    writer: cp.CopyWriter,
    bar: Bar,
    product_ids: np.ndarray,
    skus: list[str],
    kind: np.ndarray,
    n_colours: np.ndarray,
    colours: np.ndarray,
    first_id: int,
) -> int:
    """Colour-major variants (all sizes of colour 0, then colour 1…), as Catalogue.first_variant assumes."""
    product_col: list[str] = []
    sku_col: list[str] = []
    colour_col: list[str] = []
    size_col: list[str] = []
    for p, (product_id, sku) in enumerate(zip(product_ids.tolist(), skus, strict=True)):
        sizes = SIZES[VARIANT_KINDS[kind[p]]]
        for c in range(int(n_colours[p])):
            colour, code = COLOURS[colours[p, c]] if colours[p, c] >= 0 else ("", "")
            for size in sizes:
                sku_col.append("-".join(part for part in (sku, code, size) if part))
                colour_col.append(colour)
                size_col.append(size)
                product_col.append(str(product_id))
    n = len(sku_col)
    writer.write(
        ProductVariant,
        {
            "id": cp.id_range(first_id, n),
            "product_id": product_col,
            "sku": sku_col,
            "colour": colour_col,
            "size": size_col,
        },
        bar,
    )
    return n


def _write_stock(
    writer: cp.CopyWriter,
    bar: Bar,
    window: Window,
    store_ids: np.ndarray,
    first_variant: int,
    variant_count: int,
    rng: np.random.Generator,
) -> None:
    """Sparse stock: a store carries 60 to 75% of variants, and some of those are sold out."""
    carried = rng.random((len(store_ids), variant_count)) < rng.uniform(0.6, 0.75, (len(store_ids), 1))
    store_index, variant_index = np.nonzero(carried)
    n = len(store_index)
    quantity = 1 + rng.negative_binomial(2, 0.25, n)
    quantity[rng.random(n) < 0.12] = 0
    updated = window.end - rng.integers(600, 3 * DAY, n)
    writer.write(
        StockLevel,
        {
            "id": cp.id_range(cp.next_id(StockLevel), n),
            "store_id": cp.ints(store_ids[store_index]),
            "variant_id": cp.ints(first_variant + variant_index),
            "quantity": cp.ints(quantity),
            "updated_at": cp.timestamps(updated),
        },
        bar,
    )


def sample_products(catalogue: Catalogue, leaf: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A product of each given leaf, popular ones more often."""
    return sample_in_segments(catalogue.leaf_cum, leaf, rng)


def sample_brand_products(
    catalogue: Catalogue, brand: np.ndarray, leaf: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """A product of each (brand, leaf); the caller checks ``catalogue.brand_leaf`` first."""
    position = sample_in_segments(catalogue.brand_leaf_cum, brand * len(LEAVES) + leaf, rng)
    return catalogue.brand_leaf_order[position]


def favourite_brand_in(
    catalogue: Catalogue, favourites: np.ndarray, leaf: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """For each row, one of the favourite brands (a [n, k] array, -1 for none) selling in ``leaf``, or -1."""
    sells = (favourites >= 0) & catalogue.brand_leaf[np.maximum(favourites, 0), leaf[:, None]]
    keys = np.where(sells, rng.random(favourites.shape), -1.0)
    chosen = favourites[np.arange(len(leaf)), keys.argmax(axis=1)]
    return np.where(sells.any(axis=1), chosen, -1)
