"""Customers and the hidden tastes that drive their purchases (departments, brands, sizes, colours)."""

from dataclasses import dataclass

import numpy as np

from common import copy as cp
from customers.models import Customer, Source
from demo.generate.assortment import LEAVES
from demo.generate.catalogue import Catalogue
from demo.generate.catalogue_data import (
    APPAREL_COLOURS,
    DEPARTMENT_POPULARITY,
)
from demo.generate.common import DAY, Bar, Window, uuid_hex
from demo.generate.names import NICKNAMES, name_pool
from demo.generate.stores import LOCALES, StoreSet

N_DEPARTMENTS = len(DEPARTMENT_POPULARITY)
# How each sex tilts the population's department mix (womenswear, menswear, shoes, accessories,
# beauty, home, food); a customer's own favourites then dominate.
TILT = np.array([[1.7, 0.12, 1.0, 1.15, 1.4, 1.0, 0.95], [0.1, 2.4, 1.0, 0.8, 0.45, 0.9, 1.1]])
COLOUR_TASTE = np.array([0.2, 0.14, 0.09, 0.08, 0.08, 0.05, 0.05, 0.05, 0.04, 0.05, 0.04, 0.08, 0.05])
APPAREL_SIZE = np.array([[0.12, 0.3, 0.32, 0.18, 0.08], [0.03, 0.15, 0.35, 0.32, 0.15]])
SENSITIVE_TASTE = {
    "f-halal": 0.12, "f-kosher": 0.06, "hl-medicines": 0.2, "hl-vitamins": 0.2, "hl-first-aid": 0.06,
    "hl-pregnancy-tests": 0.05, "hl-maternity": 0.07, "hl-contraception": 0.07,
    "hl-meal-replacements": 0.07, "hl-slimming": 0.05, "ad-intimate-care": 0.03, "ad-adult": 0.02,
}  # fmt: skip
FOREIGN_SHARE = 0.05  # customers whose language is not their store's (a French family in London)
DUPLICATE_SHARE = 0.005  # second profiles of one person (an online checkout with another e-mail)
SENSITIVE_SHARE = 0.03
FREQUENCY_MEDIAN = 1.5  # orders a year
FREQUENCY_SIGMA = 1.15


@dataclass
class Population:
    ids: np.ndarray
    home: np.ndarray  # store index
    name_country: list[str]  # the country whose names and language the customer has
    female: np.ndarray
    given: list[str]
    family: list[str]
    birth_day: np.ndarray  # days since 1970, valid where has_birth_date
    has_birth_date: np.ndarray
    created: np.ndarray  # epoch seconds
    first_day: np.ndarray  # window day of first possible purchase
    last_day: np.ndarray  # window day of last possible purchase (churned customers stop early)
    frequency: np.ndarray  # orders per year
    value: np.ndarray  # basket-size multiplier
    style: np.ndarray  # 0 value … 3 luxury
    department_cum: np.ndarray  # [N, departments] running shares of each customer's department mix
    favourite_departments: np.ndarray  # [N, departments] bool
    favourite_brands: np.ndarray  # [N, 3] brand index or -1
    size_top: np.ndarray  # index into XS..XL
    size_bottom: np.ndarray
    shoe_size: np.ndarray  # EU size
    colours: np.ndarray  # [N, 2] favourite colours, indexes into COLOURS
    channel_cum: np.ndarray  # [N, 3] running shares of store, web, app
    sensitive_leaf: np.ndarray  # leaf index, -1 for the 97% who never buy sensitive items
    duplicate_of: np.ndarray  # index of the person's other profile, or -1

    @property
    def count(self) -> int:
        return len(self.ids)


def draw_population(
    rng: np.random.Generator, n: int, stores: StoreSet, catalogue: Catalogue, window: Window, seed: int
) -> Population:
    first_id = cp.next_id(Customer)
    ids = np.arange(first_id, first_id + n, dtype=np.int64)
    days = window.days

    # Ids follow sign-up order, as a real system's would: draw sign-up times first and sort them.
    before = rng.random(n) < 0.62
    created = np.where(
        before,
        window.start - (30 + np.minimum(rng.exponential(800, n), 4000)) * DAY,
        window.start + rng.uniform(0, days - 21, n) * DAY,
    ).astype(np.int64)
    created.sort()
    first_day = np.maximum(0, (created - window.start) // DAY + 1)
    churned = rng.random(n) < 0.15
    churn_day = first_day + (rng.random(n) * (days - first_day)).astype(np.int64)
    last_day = np.where(churned, np.maximum(churn_day, np.minimum(first_day + 14, days - 1)), days - 1)

    home = rng.choice(stores.count, size=n, p=stores.share)
    countries = np.array(stores.countries)[home]
    foreign = rng.random(n) < FOREIGN_SHARE
    name_country = np.where(foreign, rng.choice(sorted(LOCALES), size=n), countries)
    female = rng.random(n) < 0.62
    given, family = _names(rng, name_country, female, seed)

    # Frequency and basket size are heavy-tailed and go together, so a real top 1% exists.
    z = rng.multivariate_normal([0, 0], [[1, 0.5], [0.5, 1]], size=n)
    frequency = np.exp(np.log(FREQUENCY_MEDIAN) + FREQUENCY_SIGMA * z[:, 0])
    value = np.exp(0.6 * z[:, 1])
    style = np.digitize(0.8 * z[:, 1] + 0.6 * rng.standard_normal(n), [-0.8, 0.25, 1.1])

    age = np.clip(rng.normal(45, 15, n), 18, 90)
    has_birth_date = rng.random(n) < 0.88
    birth_day = ((window.end // DAY) - age * 365.25).astype(np.int64)

    department_cum, favourite_departments = _departments(rng, female)
    favourite_brands = _favourite_brands(rng, favourite_departments, style, catalogue)
    sex = (~female).astype(np.int64)
    size_top = _choice_rows(rng, APPAREL_SIZE[sex])
    size_bottom = np.clip(size_top + rng.choice([-1, 0, 1], size=n, p=[0.12, 0.7, 0.18]), 0, 4)
    shoe_size = np.where(
        female,
        np.clip(np.round(rng.normal(38.7, 1.4, n)), 36, 42),
        np.clip(np.round(rng.normal(43, 1.5, n)), 40, 46),
    ).astype(np.int64)
    taste = np.broadcast_to(np.log(COLOUR_TASTE), (n, len(COLOUR_TASTE)))
    colours = np.array(APPAREL_COLOURS)[_gumbel_top(rng, taste, 2)]
    channel_cum = _channel_mix(rng, age)
    sensitive_leaf = _sensitive_tastes(rng, female)

    population = Population(
        ids=ids, home=home, name_country=name_country.tolist(), female=female, given=given, family=family,
        birth_day=birth_day, has_birth_date=has_birth_date, created=created, first_day=first_day,
        last_day=last_day, frequency=frequency, value=value, style=style, department_cum=department_cum,
        favourite_departments=favourite_departments, favourite_brands=favourite_brands, size_top=size_top,
        size_bottom=size_bottom, shoe_size=shoe_size, colours=colours, channel_cum=channel_cum,
        sensitive_leaf=sensitive_leaf, duplicate_of=np.full(n, -1, dtype=np.int64),
    )  # fmt: skip
    _make_duplicates(rng, population)
    return population


def write_customers(
    writer: cp.CopyWriter, bar: Bar, people: Population, stores: StoreSet, rng: np.random.Generator
) -> None:
    n = people.count
    prefers_nickname = rng.random(n) < 0.4
    preferred = [
        NICKNAMES.get(name, "") if prefers else ""
        for name, prefers in zip(people.given, prefers_nickname.tolist(), strict=True)
    ]
    created = cp.timestamps(people.created)
    writer.write(
        Customer,
        {
            "id": cp.ints(people.ids),
            "public_id": uuid_hex(rng, n),
            "given_name": cp.texts(people.given),
            "family_name": cp.texts(people.family),
            "preferred_name": cp.texts(preferred),
            "birth_date": cp.dates(people.birth_day, people.has_birth_date),
            "locale": [LOCALES[c] for c in people.name_country],
            "country": cp.pick(stores.countries, people.home),
            "home_store_id": cp.ints(stores.ids[people.home]),
            "source": cp.const(Source.DEMO, n),
            "created_at": created,
            "updated_at": created,
        },
        bar,
    )


def _names(
    rng: np.random.Generator, name_country: np.ndarray, female: np.ndarray, seed: int
) -> tuple[list[str], list[str]]:
    given = np.empty(len(female), dtype=object)
    family = np.empty(len(female), dtype=object)
    for country in sorted(set(name_country.tolist())):
        rows = name_country == country
        pool = name_pool(country, seed)
        for sex_rows, names in ((rows & female, pool.female), (rows & ~female, pool.male)):
            table = np.array(names, dtype=object)
            given[sex_rows] = table[rng.integers(len(table), size=int(sex_rows.sum()))]
        table = np.array(pool.family, dtype=object)
        family[rows] = table[rng.integers(len(table), size=int(rows.sum()))]
    return given.tolist(), family.tolist()


def _gumbel_top(rng: np.random.Generator, log_weights: np.ndarray, k: int) -> np.ndarray:
    """k distinct weighted draws per row (Gumbel top-k), as column indexes, best first."""
    keys = log_weights - np.log(-np.log(rng.random(log_weights.shape)))
    return np.argsort(-keys, axis=1)[:, :k]


def _choice_rows(rng: np.random.Generator, probabilities: np.ndarray) -> np.ndarray:
    """One draw per row, each row with its own probabilities."""
    cum = np.cumsum(probabilities, axis=1)
    return (cum < rng.random((len(cum), 1)) * cum[:, -1:]).sum(axis=1)


def _departments(rng: np.random.Generator, female: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each customer loves one to three departments and buys a little of the rest."""
    n = len(female)
    base = np.array(DEPARTMENT_POPULARITY) * TILT[(~female).astype(np.int64)]
    base /= base.sum(axis=1, keepdims=True)
    how_many = rng.choice([1, 2, 3], size=n, p=[0.35, 0.45, 0.2])
    ranked = _gumbel_top(rng, np.log(base), 3)
    favourite = np.zeros((n, N_DEPARTMENTS), dtype=bool)
    for k in range(3):
        rows = np.flatnonzero(how_many > k)
        favourite[rows, ranked[rows, k]] = True
    shares = rng.gamma(2.0, 1.0, (n, N_DEPARTMENTS)) * favourite
    shares /= shares.sum(axis=1, keepdims=True)
    mix = 0.15 * base + 0.85 * shares
    return np.cumsum(mix, axis=1), favourite


def _favourite_brands(
    rng: np.random.Generator, favourite: np.ndarray, style: np.ndarray, catalogue: Catalogue
) -> np.ndarray:
    """Up to three brands from her departments, mostly in her style (luxury buyers buy luxury)."""
    departments = np.array([leaf.department for leaf in LEAVES])
    brand_department = np.stack(
        [catalogue.brand_leaf[:, departments == d].any(axis=1) for d in range(N_DEPARTMENTS)], axis=1
    )
    sells_to_her = (favourite.astype(np.int64) @ brand_department.T.astype(np.int64)) > 0
    distance = np.abs(style[:, None] - catalogue.brand_style[None, :])
    log_weight = np.where(sells_to_her, 1.4 * (distance == 0) + 0.5 * (distance == 1), -np.inf)
    top = _gumbel_top(rng, log_weight, 3)
    reachable = np.take_along_axis(sells_to_her, top, axis=1)
    return np.where(reachable, top, -1)


def _channel_mix(rng: np.random.Generator, age: np.ndarray) -> np.ndarray:
    """Store-only, online-only and omnichannel shoppers; the young use the app more."""
    n = len(age)
    app_taste = np.where(age < 35, 0.5, np.where(age < 55, 0.25, 0.1))
    mix = rng.dirichlet([4.5, 2.8, 1.0], size=n)
    mix[:, 1:] = (mix[:, 1] + mix[:, 2])[:, None] * np.stack([1 - app_taste, app_taste], axis=1)
    kind = rng.random(n)
    mix[kind < 0.25] = [1.0, 0.0, 0.0]
    online_only = (kind >= 0.25) & (kind < 0.37)
    mix[online_only] = np.stack([np.zeros(n), 1 - app_taste, app_taste], axis=1)[online_only]
    return np.cumsum(mix, axis=1)


def _sensitive_tastes(rng: np.random.Generator, female: np.ndarray) -> np.ndarray:
    codes = [leaf.code for leaf in LEAVES]
    leaves = np.array([codes.index(code) for code in SENSITIVE_TASTE])
    weights = np.array(list(SENSITIVE_TASTE.values()))
    chosen = leaves[rng.choice(len(leaves), size=len(female), p=weights / weights.sum())]
    # Pregnancy tests and maternity care go to women; men with those draws buy medicines instead.
    womens = np.isin(chosen, [codes.index("hl-pregnancy-tests"), codes.index("hl-maternity")])
    chosen[womens & ~female] = codes.index("hl-medicines")
    return np.where(rng.random(len(female)) < SENSITIVE_SHARE, chosen, -1)


def _make_duplicates(rng: np.random.Generator, people: Population) -> None:
    """A few people have a second profile (same name, birthday, tastes) from an online checkout."""
    n = people.count
    count = int(n * DUPLICATE_SHARE)
    if count == 0 or n < 4:
        return
    copies = rng.choice(np.arange(n // 2, n), size=count, replace=False)  # recent profiles
    originals = rng.choice(np.arange(n // 2), size=count, replace=False)
    people.duplicate_of[copies] = originals
    for name in ("home", "female", "birth_day", "has_birth_date", "value", "style", "size_top",
                 "size_bottom", "shoe_size", "sensitive_leaf"):  # fmt: skip
        column = getattr(people, name)
        column[copies] = column[originals]
    for name in ("department_cum", "favourite_departments", "favourite_brands", "colours"):
        column = getattr(people, name)
        column[copies] = column[originals]
    for index, original in zip(copies.tolist(), originals.tolist(), strict=True):
        people.given[index] = people.given[original]
        people.family[index] = people.family[original]
        people.name_country[index] = people.name_country[original]
    people.frequency[copies] = people.frequency[originals] * 0.3
    people.channel_cum[copies] = [0.0, 0.8, 1.0]  # the second profile only ever shops online
