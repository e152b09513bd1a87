"""The suggestion engine at scale: fit and recommend times, peak memory, against implicit's ALS.

    .venv/bin/python bench/engine.py                                  # 10k, 100k, 1M customers
    .venv/bin/python bench/engine.py --customers 100000 --als-max 100000
    .venv/bin/python bench/engine.py --customers 1000000 --threads 2

Synthetic purchase histories shaped like a fashion/beauty retailer: ``--items`` products (20,000) in
200 themes, 40 categories, 500 brands, 16 colours; item popularity is Zipf (s = 1.1) within a theme
and overall; each customer has 5 to 30 lines in 1 to 8 orders over two years, drawn 70% from one to
three favourite themes and 30% from the whole catalogue, and rebuys some of her replenishable items.
2% of items are sensitive, 30% replenishable, 95% suggestable, 5% arrived in the last 60 days.

For each size: the engine's ``fit`` and ``recommend`` (all customers, Buy again + Discover +
Combined) timed separately, with peak memory (tracemalloc: numpy's and scipy's allocations, plus the
process's peak RSS from getrusage), and implicit's ALS (64 factors, 15 iterations) fit + recommend
top-10 on the same customers x items matrix, skipped above ``--als-max`` customers (it is slow there;
the table says so). As the nightly refresh does, the engine also weighs stated likes and dislikes,
dismissals and stock by store and size (see ``with_preferences``; ``--no-preferences`` leaves them out,
to see what they cost). BLAS threads are limited with threadpoolctl (``--threads``) and
printed; the engine runs ``--threads`` workers and ALS ``--threads`` threads of its own. Never part of
the test run.
"""

import argparse
import dataclasses
import gc
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from threadpoolctl import threadpool_info, threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _environment import describe

from suggestions.engine import Catalogue, Config, Interactions, Preferences, Stock
from suggestions.engine.model import fit

DAYS = 730.0


def synthetic(n_customers: int, n_items: int, *, seed: int = 0) -> tuple[Interactions, Catalogue]:
    """Purchase histories and a catalogue with the shape described in the module docstring."""
    rng = np.random.default_rng(seed)
    n_themes = 200
    theme = rng.integers(0, n_themes, n_items)
    by_theme = np.argsort(theme, kind="stable")
    theme_start = np.searchsorted(theme[by_theme], np.arange(n_themes + 1))
    rank = 1.0 / np.power(np.arange(1, n_items + 1), 1.1)
    global_p = rank / rank.sum()
    global_order = rng.permutation(n_items)

    lines_per = rng.integers(5, 31, n_customers)
    total = int(lines_per.sum())
    customer = np.repeat(np.arange(n_customers, dtype=np.int32), lines_per)
    favourite = rng.integers(0, n_themes, (n_customers, 3))
    n_favourite = rng.integers(1, 4, n_customers)
    pick = rng.integers(0, 3, total) % n_favourite[customer]
    chosen_theme = favourite[customer, pick]
    # Zipf within the theme: a uniform draw bent towards the theme's first items.
    size = theme_start[chosen_theme + 1] - theme_start[chosen_theme]
    within = np.minimum((size * rng.random(total) ** 2.5).astype(np.int64), np.maximum(size - 1, 0))
    item = by_theme[theme_start[chosen_theme] + within]
    from_everywhere = rng.random(total) < 0.3
    item[from_everywhere] = global_order[rng.choice(n_items, int(from_everywhere.sum()), p=global_p)]

    orders_per = np.minimum(rng.integers(1, 9, n_customers), lines_per)
    order_of_line = (rng.random(total) * orders_per[customer]).astype(np.int64)
    basket = np.cumsum(np.r_[0, orders_per[:-1]])[customer] + order_of_line
    start = rng.random(n_customers) * DAYS * 0.5
    span = rng.random(n_customers) * DAYS * 0.5
    day = np.floor(start[customer] + span[customer] * order_of_line / np.maximum(orders_per[customer] - 1, 1))

    replenishable = rng.random(n_items) < 0.3
    # Rebuys: a replenishable line of an earlier order comes back in her last order.
    last_order = order_of_line == orders_per[customer] - 1
    again = replenishable[item] & ~last_order & (rng.random(total) < 0.5)
    last_basket = np.cumsum(np.r_[0, orders_per[:-1]])[customer] + orders_per[customer] - 1
    last_day = np.floor(start + span)[customer]
    item = np.r_[item, item[again]]
    customer = np.r_[customer, customer[again]]
    basket = np.r_[basket, last_basket[again]]
    day = np.r_[day, last_day[again]]

    interactions = Interactions(
        customer=customer.astype(np.int32),
        item=item.astype(np.int32),
        day=day.astype(np.float64),
        quantity=np.ones(len(item), dtype=np.float32),
        basket=basket.astype(np.int64),
        n_customers=n_customers,
        n_items=n_items,
    )
    category = (theme % 40).astype(np.int32)
    catalogue = Catalogue.plain(
        n_items,
        category=category,
        brand=rng.integers(0, 500, n_items),
        colour=rng.integers(0, 16, n_items),
        sensitive=category == 39,  # one category of 40: 2.5% of items
        replenishable=replenishable,
        suggestable=rng.random(n_items) < 0.95,
        new_since=np.where(rng.random(n_items) < 0.05, DAYS - rng.random(n_items) * 60, np.nan),
    )
    return interactions, catalogue


def with_preferences(
    n_customers: int, catalogue: Catalogue, *, seed: int = 1
) -> tuple[Catalogue, Preferences]:
    """Stated preferences and store stock: 20% dislike a brand, 10% like one, 5% dismissed an item in
    the last 90 days, everyone has one of 20 stores, half gave a size (of 5); each store stocks 60% of
    the items in 3 sizes (a tenth of the rows restocked in the last three weeks)."""
    rng = np.random.default_rng(seed)
    n_items = catalogue.n_items

    def some(share: float, values: int) -> tuple[np.ndarray, np.ndarray]:
        who = np.flatnonzero(rng.random(n_customers) < share).astype(np.int32)
        return who, rng.integers(0, values, len(who)).astype(np.int32)

    dismissed_who, dismissed_item = some(0.05, n_items)
    stores = 20
    store, item = np.nonzero(rng.random((stores, n_items)) < 0.6)
    store, item = np.repeat(store, 3), np.repeat(item, 3)
    size = np.tile(np.arange(3), len(store) // 3)
    restocked = np.where(rng.random(len(store)) < 0.1, DAYS - rng.random(len(store)) * 21, np.nan)
    stock = Stock(
        store=store.astype(np.int32),
        item=item.astype(np.int32),
        size=size.astype(np.int32),
        restocked_day=restocked,
    )
    preferences = Preferences(
        disliked_brands=some(0.2, 500),
        liked_brands=some(0.1, 500),
        dismissed=(dismissed_who, dismissed_item, DAYS - rng.random(len(dismissed_who)) * 90),
        store=(np.arange(n_customers, dtype=np.int32), rng.integers(0, stores, n_customers).astype(np.int32)),
        sizes=some(0.5, 5),
    )
    return dataclasses.replace(catalogue, stock=stock), preferences


def _measure(step: Callable[[], Any]) -> tuple[Any, float, float]:
    """Run ``step``; return its result, seconds, and peak traced memory in MB."""
    gc.collect()
    tracemalloc.start()
    started = time.perf_counter()
    result = step()
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return result, seconds, peak / 1e6


def _customer_items(interactions: Interactions) -> sp.csr_matrix:
    matrix = sp.csr_matrix(
        (np.ones(len(interactions.item), dtype=np.float32), (interactions.customer, interactions.item)),
        shape=(interactions.n_customers, interactions.n_items),
    )
    matrix.sum_duplicates()
    return matrix


def _als(interactions: Interactions, threads: int) -> tuple[float, float]:
    from implicit.cpu.als import AlternatingLeastSquares

    matrix = _customer_items(interactions)
    started = time.perf_counter()
    model = AlternatingLeastSquares(factors=64, iterations=15, num_threads=threads, random_state=0)
    model.fit(matrix, show_progress=False)
    fitted = time.perf_counter()
    users = np.arange(interactions.n_customers)
    for start in range(0, len(users), 50_000):
        chunk = users[start : start + 50_000]
        model.recommend(chunk, matrix[chunk], N=10, filter_already_liked_items=False)
    return fitted - started, time.perf_counter() - fitted


def measure_size(n_customers: int, args: argparse.Namespace) -> str:
    """One line of the table: the engine, then ALS, on the same synthetic customers."""
    interactions, catalogue = synthetic(n_customers, args.items)
    preferences = Preferences()
    if not args.no_preferences:
        catalogue, preferences = with_preferences(n_customers, catalogue)
    config = Config(now=DAYS, batch_size=args.batch_size, workers=args.threads)
    model, fit_s, fit_mb = _measure(lambda: fit(interactions, catalogue, config))
    everyone = np.arange(n_customers)
    suggestions, rec_s, rec_mb = _measure(
        lambda: model.recommend(everyone, interactions, catalogue, preferences, config)
    )
    if n_customers <= args.als_max:
        with threadpool_limits(1, "blas"):  # implicit asks for one BLAS thread
            als_fit, als_rec = _als(interactions, args.threads)
        als = f"{als_fit:.1f} s | {als_rec:.1f} s | {als_fit + als_rec:.1f} s"
    else:
        als = "skipped (--als-max) | | "
    return (
        f"| {n_customers:,} | {len(interactions.item):,} | {fit_s:.1f} s | {rec_s:.1f} s "
        f"| {fit_s + rec_s:.1f} s | {max(fit_mb, rec_mb):,.0f} MB "
        f"| {len(suggestions) / n_customers:.1f} | {als} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--customers", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--threads", type=int, default=2, help="BLAS threads, engine workers, ALS threads")
    parser.add_argument("--als-max", type=int, default=1_000_000, help="skip ALS above this many customers")
    parser.add_argument("--batch-size", type=int, default=Config().batch_size)
    parser.add_argument(
        "--no-preferences",
        action="store_true",
        help="leave out stated preferences, dismissals and store stock",
    )
    args = parser.parse_args()
    print(describe(database=False))  # synthetic data in memory: no database

    import implicit.cpu.als  # noqa: F401  (loaded before threadpool_limits, or its BLAS escapes them)

    with threadpool_limits(args.threads, "blas"):
        blas = sorted({f"{info['internal_api']}={info['num_threads']}" for info in threadpool_info()})
        print(
            f"threads: {', '.join(blas)}; engine workers {args.threads}; ALS num_threads {args.threads}; "
            f"{args.items:,} products; preferences, dismissals and stock "
            f"{'left out' if args.no_preferences else 'included'}\n"
        )
        print(
            "| customers | lines | fit | recommend | engine total | peak traced memory | rows per customer "
            "| ALS fit | ALS recommend | ALS total |"
        )
        print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |", flush=True)
        for n_customers in args.customers:
            print(measure_size(n_customers, args), flush=True)
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"\nPeak traced memory: tracemalloc's peak during the engine's fit or recommend (numpy and scipy "
        f"included). The process's peak resident memory, ALS included: {peak_rss:,.0f} MB."
    )


if __name__ == "__main__":
    main()
