"""What the associate types and opens in ``bench/tablet.py``: customers she may see drawn at random,
names misspelt the ways people misspell them, phones and e-mails as she would type them."""

import random
import unicodedata
from dataclasses import dataclass

from accounts.models import User
from consent.selectors import customers_visible_to
from customers.models import CustomerIdentifier

WARM_UP = 20  # requests per operation before measuring, on customers not measured afterwards


@dataclass(frozen=True)
class Person:
    pk: int
    public_id: str
    given: str
    family: str


@dataclass(frozen=True)
class Probe:
    """One request to make, and whom it should find."""

    query: str
    target: Person
    kind: str = ""  # for typo searches: "full" (given + family) or "family" (family name only)


def strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def misspell(word: str, rng: random.Random, operation: str | None = None) -> str:
    """One typo: a letter dropped, two neighbours swapped, or a letter replaced (``operation``, else
    one at random). Never the first letter (people rarely get that wrong, and the pickers on the
    tablet start from it)."""
    positions = [i for i in range(1, len(word)) if word[i].isalpha()]
    swappable = [
        i for i in positions if i + 1 < len(word) and word[i + 1].isalpha() and word[i] != word[i + 1]
    ]
    if operation is None or (operation == "swap" and not swappable):
        operation = rng.choice(("drop", "swap", "replace") if swappable else ("drop", "replace"))
    if operation == "swap":
        i = rng.choice(swappable)
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    i = rng.choice(positions)
    if operation == "drop":
        return word[:i] + word[i + 1 :]
    letters = [c for c in "abcdefghijklmnopqrstuvwxyz" if c != word[i].lower()]
    return word[:i] + rng.choice(letters) + word[i + 1 :]


def typo_probe(person: Person, rng: random.Random, operation: str | None = None) -> Probe:
    family = misspell(person.family, rng, operation)
    query, kind = (family, "family") if rng.random() < 0.2 else (f"{person.given} {family}", "full")
    if rng.random() < 0.3:  # typed without accents: Bjorn for Björn
        query = strip_accents(query)
    return Probe(query, person, kind)


@dataclass(frozen=True)
class Workload:
    cards: list[Person]
    typos: list[Probe]
    swaps: list[Probe]
    phones: list[Probe]
    emails: list[Probe]


def draw_workload(
    user: User, rng: random.Random, *, cards: int, typos: int, phones: int, emails: int
) -> Workload:
    """Customers she may see, drawn at random; each operation gets its own (warm-up ones first)."""
    rows = (
        customers_visible_to(user).order_by("pk").values_list("pk", "public_id", "given_name", "family_name")
    )
    people = [Person(pk, str(public_id), given, family) for pk, public_id, given, family in rows]
    # A typo in a family name of three letters or fewer leaves too little to recognise.
    named = [p for p in people if p.given and len(p.family) >= 4]
    card_people = rng.sample(people, WARM_UP + cards)
    typo_people = rng.sample(named, WARM_UP + typos)
    swap_people = rng.sample(named, WARM_UP + typos)

    pool = rng.sample(people, min(len(people), 20 * (phones + emails) + 4 * WARM_UP))
    by_pk = {p.pk: p for p in pool}
    phone_of: dict[int, str] = {}
    email_of: dict[int, str] = {}
    identifiers = CustomerIdentifier.objects.filter(customer_id__in=list(by_pk), kind__in=["phone", "email"])
    for customer_id, kind, value in identifiers.order_by("customer_id", "-is_primary", "pk").values_list(
        "customer_id", "kind", "value"
    ):
        (phone_of if kind == "phone" else email_of).setdefault(customer_id, value)
    phone_probes = [Probe(phone_of[p.pk][-4:], p) for p in pool if p.pk in phone_of]
    email_probes = []
    for p in pool:
        if p.pk in email_of:
            local, domain = email_of[p.pk].split("@", 1)
            email_probes.append(Probe(f"{local}@{domain[: rng.randint(0, 3)]}", p))
    return Workload(
        cards=card_people,
        typos=[typo_probe(p, rng) for p in typo_people],
        swaps=[typo_probe(p, rng, "swap") for p in swap_people],
        phones=rng.sample(phone_probes, WARM_UP + phones),
        emails=rng.sample(email_probes, WARM_UP + emails),
    )
