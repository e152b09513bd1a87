"""What goes in each basket: products from the customer's departments and brands, in her size."""

from dataclasses import dataclass

import numpy as np

from common import copy as cp
from demo.generate.assortment import LEAVES
from demo.generate.calendar import Calendar
from demo.generate.catalogue import (
    VARIANT_KINDS,
    Catalogue,
    favourite_brand_in,
    sample_brand_products,
    sample_products,
)
from demo.generate.catalogue_data import BEAUTY, FASHION, FOOD, SENSITIVE, SHOE_SIZE_FROM
from demo.generate.common import Bar, rank_in_segment, sample_in_segments, segment_cumsum
from demo.generate.customers import Population
from demo.generate.orders import WEB, Orders
from sales.models import OrderLine
from sales.services.bulk import copy_order_lines

BRAND_LOYALTY = 0.55  # share of lines bought from a favourite brand when one sells in the category
COMPLEMENT_SHARE = 0.3  # later lines that complete the first one (a belt with the trousers)
OFF_SIZE_SHARE = 0.12  # lines bought a size up or down (they come back more often)
# Leaves a sex rarely shops in for herself/himself; gifts keep them from being zero.
SEX_LEAF_WEIGHT = ({"s-men": 0.05, "m-ties": 0.2}, {"s-women": 0.03, "w-lingerie": 0.3, "w-dresses": 0.1})


@dataclass(frozen=True)
class Lines:
    ids: np.ndarray
    order: np.ndarray  # order index
    number: np.ndarray
    product: np.ndarray  # product index
    variant: np.ndarray  # variant id
    quantity: np.ndarray
    unit: np.ndarray  # cents
    amount: np.ndarray  # cents
    size_off: np.ndarray  # -1 bought too small, +1 too large, 0 her size (or no size)

    @property
    def count(self) -> int:
        return len(self.ids)


def draw_lines(
    rng: np.random.Generator, orders: Orders, people: Population, catalogue: Catalogue, calendar: Calendar
) -> Lines:
    customer = orders.customer
    mean_extra = 0.9 * people.value[customer] ** 0.6 + 0.25 * (orders.channel == WEB)
    regular = np.where(orders.staple_only, rng.poisson(0.5, orders.count), 1 + rng.poisson(mean_extra))
    # At most five lines, counting the staples and sensitive items already placed in the basket.
    decided = np.bincount(orders.forced_order, minlength=orders.count)
    regular = np.minimum(regular, np.maximum(np.where(orders.staple_only, 0, 1), 5 - decided))
    reg_order = np.repeat(np.arange(orders.count), regular)
    reg_rank = rank_in_segment(regular)
    reg_product = _regular_products(rng, people, catalogue, customer[reg_order], reg_rank)

    forced_product = orders.forced_product.copy()
    leaf_only = np.flatnonzero(forced_product < 0)
    forced_product[leaf_only] = sample_products(catalogue, orders.forced_leaf[leaf_only], rng)

    order = np.concatenate([reg_order, orders.forced_order])
    product = np.concatenate([reg_product, forced_product])
    by_order = np.lexsort((np.arange(len(order)), order))  # regular lines first, then the decided ones
    order, product = order[by_order], product[by_order]
    number = 1 + rank_in_segment(np.bincount(order, minlength=orders.count))

    variant, size_off = _variants(rng, people, catalogue, customer[order], product)
    department = catalogue.department[product]
    u = rng.random(len(order))
    quantity = np.where(
        np.isin(department, [BEAUTY, FOOD, SENSITIVE]), 1 + (u < 0.22) + (u < 0.06), 1 + (u < 0.03)
    ).astype(np.int64)
    unit = np.where(orders.euro[order], catalogue.price_eur[product], catalogue.price_gbp[product])
    # In the January and summer sales most fashion is 30% off (at a .99 price).
    on_sale = np.isin(department, FASHION) & calendar.sale[orders.day[order]] & (rng.random(len(order)) < 0.6)
    unit = np.where(on_sale, np.maximum(np.round(unit * 0.7 / 100).astype(np.int64) * 100 - 1, 99), unit)
    return Lines(
        ids=cp.next_id(OrderLine) + np.arange(len(order), dtype=np.int64),
        order=order,
        number=number,
        product=product,
        variant=variant,
        quantity=quantity,
        unit=unit,
        amount=unit * quantity,
        size_off=size_off,
    )


def order_totals(lines: Lines, n_orders: int) -> np.ndarray:
    return np.round(np.bincount(lines.order, weights=lines.amount, minlength=n_orders)).astype(np.int64)


def write_lines(writer: cp.CopyWriter, bar: Bar, lines: Lines, orders: Orders, catalogue: Catalogue) -> None:
    copy_order_lines(
        writer,
        {
            "id": cp.ints(lines.ids),
            "order_id": cp.ints(orders.ids[lines.order]),
            "line_number": cp.ints(lines.number),
            "product_id": cp.ints(catalogue.product_ids[lines.product]),
            "variant_id": cp.ints(lines.variant),
            "quantity": cp.ints(lines.quantity),
            "unit_price": cp.money(lines.unit),
            "amount": cp.money(lines.amount),
        },
        bar,
    )


def products_she_likes(
    rng: np.random.Generator, people: Population, catalogue: Catalogue, customer: np.ndarray
) -> np.ndarray:
    """One product per customer, chosen the way her own first basket line would be."""
    return _regular_products(rng, people, catalogue, customer, np.zeros(len(customer), dtype=np.int64))


def _regular_products(
    rng: np.random.Generator, people: Population, catalogue: Catalogue, customer: np.ndarray, rank: np.ndarray
) -> np.ndarray:
    """Department from her own mix, category by popularity (or completing the first line), then a
    product from a favourite brand when one sells there, else a popular one."""
    n = len(customer)
    department = (people.department_cum[customer] < rng.random((n, 1))).sum(axis=1)
    department = np.minimum(department, people.department_cum.shape[1] - 1)
    leaf = np.empty(n, dtype=np.int64)
    female = people.female[customer]
    for sex, rows in enumerate((np.flatnonzero(female), np.flatnonzero(~female))):
        leaf[rows] = sample_in_segments(_leaf_cum(sex), department[rows], rng)

    table, choices = _complements()
    first = leaf[np.flatnonzero(rank == 0)][np.cumsum(rank == 0) - 1]
    completes = (rank > 0) & (choices[first] > 0) & (rng.random(n) < COMPLEMENT_SHARE)
    pick = (rng.random(n) * np.maximum(choices[first], 1)).astype(np.int64)
    leaf = np.where(completes, table[first, pick], leaf)

    product = sample_products(catalogue, leaf, rng)
    brand = favourite_brand_in(catalogue, people.favourite_brands[customer], leaf, rng)
    loyal = np.flatnonzero((brand >= 0) & (rng.random(n) < BRAND_LOYALTY))
    product[loyal] = sample_brand_products(catalogue, brand[loyal], leaf[loyal], rng)
    return product


def _leaf_cum(sex: int) -> np.ndarray:
    weights = np.array([leaf.products * SEX_LEAF_WEIGHT[sex].get(leaf.code, 1.0) for leaf in LEAVES])
    departments = np.array([leaf.department for leaf in LEAVES])
    return segment_cumsum(weights, departments, SENSITIVE + 1)


def _complements() -> tuple[np.ndarray, np.ndarray]:
    codes = [leaf.code for leaf in LEAVES]
    width = max(len(leaf.complements) for leaf in LEAVES)
    table = np.zeros((len(LEAVES), width), dtype=np.int64)
    for i, leaf in enumerate(LEAVES):
        table[i, : len(leaf.complements)] = [codes.index(code) for code in leaf.complements]
    return table, np.array([len(leaf.complements) for leaf in LEAVES])


def _variants(
    rng: np.random.Generator,
    people: Population,
    catalogue: Catalogue,
    customer: np.ndarray,
    product: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Her size (sometimes one off) in a favourite colour when the product comes in it."""
    n = len(product)
    kind = catalogue.variant_kind[product]
    sizes = catalogue.n_sizes[product]
    bottom = np.array([leaf.fit == "bottom" for leaf in LEAVES])[catalogue.leaf[product]]
    size = np.where(bottom, people.size_bottom[customer], people.size_top[customer])
    for k, name in enumerate(VARIANT_KINDS):
        if name in SHOE_SIZE_FROM:
            size = np.where(kind == k, people.shoe_size[customer] - SHOE_SIZE_FROM[name], size)
    size = np.where(sizes > 1, size, 0)
    off = np.where((sizes > 1) & (rng.random(n) < OFF_SIZE_SHARE), rng.choice([-1, 1], size=n), 0)
    chosen = np.clip(size + off, 0, sizes - 1)
    size_off = np.clip(chosen - np.clip(size, 0, sizes - 1), -1, 1)

    palette = catalogue.colours[product]
    colour = np.where(rng.random(n) < 0.5, 0, (rng.random(n) * catalogue.n_colours[product]).astype(np.int64))
    for taste, keep in ((1, 0.6), (0, 0.75)):  # the second favourite first, so the first one wins
        match = palette == people.colours[customer, taste][:, None]
        hit = match.any(axis=1) & (rng.random(n) < keep)
        colour = np.where(hit, match.argmax(axis=1), colour)
    return catalogue.first_variant[product] + colour * sizes + chosen, size_off
