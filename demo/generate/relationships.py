"""What associates have learnt about customers who opted in: sizes, loves, dates and notes.

Drawn from each customer's hidden tastes (the same ones that drive her purchases), so her card agrees
with her history: the brand she "loves" is one she buys, the size on file is the size she orders.
Assignments, follow-ups and contacts depend on value tiers, so they are set-based SQL run after the
tiers are ranked (``write_client_book``).
"""

from datetime import UTC, datetime

import numpy as np
from django.db import connection

from catalog.models import Category
from common import copy as cp
from customers.models import ImportantDate, Preference, Size
from demo.generate.catalogue import Catalogue
from demo.generate.catalogue_data import BRANDS, COLOURS, SIZES
from demo.generate.common import DAY, Bar, Window
from demo.generate.consent import ConsentPlan
from demo.generate.customers import Population
from demo.generate.staff import StaffSet
from demo.generate.stores import StoreSet
from relationships.models import Note

KNOWN_SIZE_SHARE = 0.55  # of customers who opted in, those whose sizes an associate noted
LOVED_BRAND_SHARE = 0.45
LOVED_COLOUR_SHARE = 0.3
DISLIKED_COLOUR_SHARE = 0.15
DATE_SHARE = 0.12
NOTE_SHARE = 0.3
SENSITIVE_NOTE_SHARE = 0.01  # confirmed by the associate, waiting for the manager's review

NOTES = (
    "Prefers appointments on Saturday mornings; have a fitting room ready.",
    "Loves {brand}. Call when the new season arrives.",
    "Looking for an outfit for a wedding in {month}.",
    "Buys presents for the family every December; likes gift wrapping.",
    "Never wants {colour}: does not suit the complexion, in the customer's own words.",
    "Prefers a text message to a call, after 6 pm.",
    "Travels for work: happy for us to hold pieces for up to a week.",
    "Wears {size} in tops; likes a relaxed fit rather than slim.",
    "Asked to be told when {brand} goes on sale.",
    "Came in with a friend who may also join; very happy with the alterations service.",
)
SENSITIVE_NOTES = (
    ("Mentioned being pregnant; looking for loose fits for the coming months.", "pregnancy"),
    ("Recovering from surgery; prefers front-fastening pieces.", "health"),
)
MONTHS = ("March", "May", "June", "July", "September", "October")
ANNIVERSARIES = ("Wedding anniversary", "Anniversary", "Partner's birthday", "Daughter's birthday")


def write_profiles(
    writer: cp.CopyWriter,
    bar: Bar,
    rng: np.random.Generator,
    people: Population,
    plan: ConsentPlan,
    catalogue: Catalogue,
    stores: StoreSet,
    staff: StaffSet,
    window: Window,
) -> None:
    known = np.flatnonzero(plan.opted & ~plan.withdrawn)
    category = dict(Category.objects.values_list("code", "pk"))
    _write_sizes(writer, bar, rng, people, known, category, window)
    _write_preferences(writer, bar, rng, people, known, catalogue, window)
    _write_dates(writer, bar, rng, people, known, window)
    _write_notes(writer, bar, rng, people, known, np.asarray(stores.ids), staff, window)


def _write_sizes(
    writer: cp.CopyWriter,
    bar: Bar,
    rng: np.random.Generator,
    people: Population,
    known: np.ndarray,
    category: dict[str, int],
    window: Window,
) -> None:
    apparel = SIZES["apparel"]
    chosen = known[rng.random(len(known)) < KNOWN_SIZE_SHARE]
    female = people.female[chosen]
    customers, categories, sizes = [], [], []
    for kind, code_w, code_m, source in (
        ("top", "womenswear", "menswear", people.size_top),
        ("bottom", "w-trousers", "m-trousers", people.size_bottom),
        ("shoes", "s-women", "s-men", people.shoe_size),
    ):
        if code_w not in category or code_m not in category:
            continue
        values = source[chosen]
        labels = [str(v) if kind == "shoes" else apparel[int(v)] for v in values]
        if kind == "shoes":
            labels = [f"EU {label}" for label in labels]
        customers.append(people.ids[chosen])
        categories.append(np.where(female, category[code_w], category[code_m]))
        sizes.extend(labels)
    if not customers:
        return
    ids = np.concatenate(customers)
    n = len(ids)
    first = cp.next_id(Size)
    writer.write(
        Size,
        {
            "id": cp.id_range(first, n),
            "customer_id": cp.ints(ids),
            "category_id": cp.ints(np.concatenate(categories)),
            "size": cp.texts(sizes),
            "fit_note": cp.const("", n),
            "updated_at": cp.timestamps(window.end - rng.integers(1, 540, n) * DAY),
        },
        bar,
    )


def _write_preferences(
    writer: cp.CopyWriter,
    bar: Bar,
    rng: np.random.Generator,
    people: Population,
    known: np.ndarray,
    catalogue: Catalogue,
    window: Window,
) -> None:
    loved_brand = known[
        (rng.random(len(known)) < LOVED_BRAND_SHARE) & (people.favourite_brands[known, 0] >= 0)
    ]
    loved_colour = known[rng.random(len(known)) < LOVED_COLOUR_SHARE]
    disliked_colour = known[rng.random(len(known)) < DISLIKED_COLOUR_SHARE]
    favourite = people.colours[disliked_colour]
    # A colour she never chooses: shift past both favourites.
    other = (favourite.max(axis=1) + 1 + rng.integers(0, 5, len(disliked_colour))) % len(COLOURS)
    for _ in range(favourite.shape[1]):  # step past her own favourites (two at most)
        clash = (other == favourite[:, 0]) | (other == favourite[:, 1])
        other = np.where(clash, (other + 1) % len(COLOURS), other)
    kinds = ["brand"] * len(loved_brand) + ["colour"] * (len(loved_colour) + len(disliked_colour))
    customers = np.concatenate(
        [people.ids[loved_brand], people.ids[loved_colour], people.ids[disliked_colour]]
    )
    likes = np.concatenate(
        [np.ones(len(loved_brand) + len(loved_colour), bool), np.zeros(len(disliked_colour), bool)]
    )
    brand = np.concatenate(
        [
            catalogue.brand_ids[people.favourite_brands[loved_brand, 0]],
            np.zeros(len(kinds) - len(loved_brand), int),
        ]
    )
    values = [""] * len(loved_brand) + [COLOURS[c][0] for c in people.colours[loved_colour, 0]]
    values += [COLOURS[c][0] for c in other]
    n = len(customers)
    when = window.end - rng.integers(1, 540, n) * DAY
    first = cp.next_id(Preference)
    writer.write(
        Preference,
        {
            "id": cp.id_range(first, n),
            "customer_id": cp.ints(customers),
            "kind": cp.texts(kinds),
            "likes": cp.bools(likes),
            "brand_id": cp.optional_ints(brand, np.array([k == "brand" for k in kinds])),
            "value": cp.texts(values),
            "created_at": cp.timestamps(when),
            "updated_at": cp.timestamps(when),
        },
        bar,
    )


def _write_dates(
    writer: cp.CopyWriter,
    bar: Bar,
    rng: np.random.Generator,
    people: Population,
    known: np.ndarray,
    window: Window,
) -> None:
    chosen = known[rng.random(len(known)) < DATE_SHARE]
    n = len(chosen)
    labels = rng.integers(0, len(ANNIVERSARIES), n)
    year_known = rng.random(n) < 0.6
    first = cp.next_id(ImportantDate)
    writer.write(
        ImportantDate,
        {
            "id": cp.id_range(first, n),
            "customer_id": cp.ints(people.ids[chosen]),
            "kind": cp.const(ImportantDate.Kind.ANNIVERSARY, n),
            "label": cp.pick(ANNIVERSARIES, labels),
            "month": cp.ints(rng.integers(1, 13, n)),
            "day": cp.ints(rng.integers(1, 29, n)),
            "year": cp.optional_ints(rng.integers(1985, 2024, n), year_known),
            "created_at": cp.timestamps(window.end - rng.integers(1, 540, n) * DAY),
        },
        bar,
    )


def _write_notes(
    writer: cp.CopyWriter,
    bar: Bar,
    rng: np.random.Generator,
    people: Population,
    known: np.ndarray,
    store_ids: np.ndarray,
    staff: StaffSet,
    window: Window,
) -> None:
    chosen = known[rng.random(len(known)) < NOTE_SHARE]
    chosen = np.concatenate([chosen, chosen[rng.random(len(chosen)) < 0.35]])  # some have two notes
    n = len(chosen)
    sensitive = rng.random(n) < SENSITIVE_NOTE_SHARE
    bodies: list[str] = []
    topics: list[str] = []
    template = rng.integers(0, len(NOTES), n)
    month = rng.integers(0, len(MONTHS), n)
    for i, person in enumerate(chosen):
        if sensitive[i]:
            body, topic = SENSITIVE_NOTES[int(template[i]) % len(SENSITIVE_NOTES)]
            bodies.append(body)
            topics.append("{" + topic + "}")
            continue
        brand_index = people.favourite_brands[person, 0]
        brand = str(BRANDS[brand_index][0]) if brand_index >= 0 else "our new arrivals"
        bodies.append(
            NOTES[template[i]].format(
                brand=brand,
                month=MONTHS[month[i]],
                colour=COLOURS[people.colours[person, 1]][0].lower(),
                size=SIZES["apparel"][int(people.size_top[person])],
            )
        )
        topics.append("{}")
    home = people.home[chosen]
    associates = staff.associates_by_store
    author = np.array([associates[h][rng.integers(len(associates[h]))] if associates[h] else 0 for h in home])
    first = cp.next_id(Note)
    age = rng.integers(1, 540, n)  # days
    writer.write(
        Note,
        {
            "id": cp.id_range(first, n),
            "customer_id": cp.ints(people.ids[chosen]),
            "store_id": cp.ints(store_ids[home]),
            "author_id": cp.optional_ints(author, author > 0),
            "body": cp.texts(bodies),
            "flagged_topics": topics,
            # The last ten days' notes, and every flagged one, wait for the manager; the rest were approved.
            "review": cp.texts(
                [
                    Note.Review.PENDING if flagged or days <= 10 else Note.Review.APPROVED
                    for flagged, days in zip(sensitive, age, strict=True)
                ]
            ),
            "created_at": cp.timestamps(window.end - age * DAY),
        },
        bar,
    )


FOLLOW_UP_TITLES = (
    "Call when the new season arrives",
    "Invite to the private shopping evening",
    "Check the alteration is ready",
    "Send photos of the new arrivals in her size",
    "Thank-you call after the last visit",
)


def write_client_book(window: Window) -> None:
    """Give each private and preferred client an associate of her store, some follow-ups and contacts.

    Deterministic without randomness: who and when follow from ids, so the same seed gives the same book.
    """
    today = datetime.combine(window.today, datetime.min.time(), tzinfo=UTC)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH team AS (
                SELECT m.store_id, m.user_id,
                       ROW_NUMBER() OVER (PARTITION BY m.store_id ORDER BY m.user_id) - 1 AS position,
                       COUNT(*) OVER (PARTITION BY m.store_id) AS size
                FROM accounts_storemembership m JOIN accounts_user u ON u.id = m.user_id
                WHERE u.role = 'associate' AND u.is_active
            )
            UPDATE customers_storerelationship r SET assigned_associate_id = team.user_id
            FROM team
            WHERE team.store_id = r.store_id AND team.position = r.customer_id %% team.size
              AND r.tier IN ('private_client', 'preferred')
            """,
            {},  # parameters, even none, so that %% reads as the modulo operator
        )
        # Contacts: about half the top clients heard from their associate in the last four months.
        cursor.execute(
            """
            INSERT INTO relationships_interaction
                (customer_id, store_id, associate_id, kind, occurred_at, summary)
            SELECT r.customer_id, r.store_id, r.assigned_associate_id,
                   (ARRAY['call', 'message', 'visit'])[1 + r.customer_id %% 3],
                   %(today)s - make_interval(days => (r.customer_id * 7 %% 120)::int, hours => 11),
                   ''
            FROM customers_storerelationship r
            JOIN consent_consentstate c
              ON c.customer_id = r.customer_id AND c.purpose_id = 'profile' AND c.granted
            WHERE r.assigned_associate_id IS NOT NULL AND r.customer_id %% 2 = 0
            """,
            {"today": today},
        )
        cursor.execute(
            """
            UPDATE customers_storerelationship r SET last_contacted_at = i.last
            FROM (SELECT customer_id, store_id, MAX(occurred_at) AS last
                  FROM relationships_interaction GROUP BY customer_id, store_id) i
            WHERE i.customer_id = r.customer_id AND i.store_id = r.store_id
            """
        )
        # Follow-ups around today for private clients who opted in: some overdue, some today, some soon.
        cursor.execute(
            """
            INSERT INTO relationships_followup
                (customer_id, store_id, assigned_to_id, created_by_id, title, due_on, status, created_at)
            SELECT r.customer_id, r.store_id, r.assigned_associate_id, r.assigned_associate_id,
                   (%(titles)s::text[])[1 + r.customer_id %% %(n_titles)s],
                   (%(today)s::date + (r.customer_id %% 9 - 3)::int), 'open',
                   %(today)s - interval '10 days'
            FROM customers_storerelationship r
            JOIN consent_consentstate c
              ON c.customer_id = r.customer_id AND c.purpose_id = 'profile' AND c.granted
            WHERE r.tier = 'private_client' AND r.assigned_associate_id IS NOT NULL
            """,
            {"today": today, "titles": list(FOLLOW_UP_TITLES), "n_titles": len(FOLLOW_UP_TITLES)},
        )
