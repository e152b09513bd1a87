"""E-mail addresses, mobile numbers, loyalty cards and web accounts, already in normalised form."""

from dataclasses import dataclass

import numpy as np

from common import copy as cp
from customers.identifiers import IdentifierKind
from customers.models import CustomerIdentifier
from demo.generate.common import Bar
from demo.generate.customers import Population
from demo.generate.names import mail_part
from demo.generate.stores import StoreSet

# Demo addresses must never reach a real mailbox (the app sends codes and outreach), so every
# domain sits under the reserved .example top-level domain while still reading like a local provider.
MAIL_DOMAINS = {
    "GB": ("postbox.example", "mailhub.example", "britmail.example", "inbox.example", "hey.example"),
    "IE": ("eirmail.example", "postbox.example", "inbox.example", "hey.example"),
    "FR": ("courriel.example", "laposte.example", "boite.example", "inbox.example"),
    "DE": ("webpost.example", "postfach.example", "mailbox.example", "inbox.example"),
    "NL": ("postvak.example", "mailbox.example", "inbox.example", "hey.example"),
}
# Mobile ranges that libphonenumber accepts as valid: (prefix, digits that follow).
MOBILE_RANGES = {
    # Britain without the ranges of Jersey, Guernsey and the Isle of Man (e.g. +447797, +447937).
    "GB": [("+4473", 8)]
    + [(f"+44{p}", 7) for p in (740, 741, 742, 743, 744, 746, 747, 748, 749, 751, 753, 754, 755, 756, 757)]
    + [(f"+44{p}", 7) for p in (758, 759, 771, 772, 773, 774, 775, 776, 777, 780, 781, 784, 785, 786, 787)]
    + [(f"+44{p}", 7) for p in (788, 789, 790, 792, 794, 795, 796, 798, 799)],
    "IE": [(f"+353{p}", 7) for p in (83, 85, 86, 87, 89)],
    "FR": [(f"+336{d}", 7) for d in (0, 1, 2, 4, 5, 6, 7, 8)] + [(f"+337{d}", 7) for d in range(3, 9)],
    "DE": [(f"+49{p}", 8) for p in (151, 152, 157, 159, 162, 176, 177, 178, 179)]
    + [(f"+49{p}", 7) for p in (160, 163, 170, 171, 172, 173, 174, 175)],
    "NL": [(f"+316{d}", 7) for d in range(1, 6)],
}
LOYALTY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no I/1 or O/0 to misread at the till


@dataclass(frozen=True)
class Contacts:
    has_email: np.ndarray
    second_email: np.ndarray
    has_phone: np.ndarray
    has_loyalty: np.ndarray
    has_web: np.ndarray


def draw_contacts(rng: np.random.Generator, people: Population) -> Contacts:
    n = people.count
    shops_online = people.channel_cum[:, 0] < 1.0
    shops_in_store = people.channel_cum[:, 0] > 0.0
    duplicate = people.duplicate_of >= 0
    has_email = (rng.random(n) < 0.93) | shops_online
    # A second profile exists because of another address; it has no phone or card of its own.
    has_phone = (rng.random(n) < 0.8) & ~duplicate
    has_loyalty = (rng.random(n) < np.where(shops_in_store, 0.72, 0.15)) & ~duplicate
    second_email = has_email & (rng.random(n) < 0.05) & ~duplicate
    return Contacts(has_email, second_email, has_phone, has_loyalty, shops_online)


def write_identifiers(
    writer: cp.CopyWriter,
    bar: Bar,
    people: Population,
    contacts: Contacts,
    stores: StoreSet,
    verified_email_at: np.ndarray,
    verified_phone_at: np.ndarray,
    rng: np.random.Generator,
) -> None:
    """One row per identifier; the first of each kind is the primary one, every value unique."""
    countries = np.array(stores.countries)[people.home]
    customer: list[np.ndarray] = []
    kind: list[str] = []
    namespace: list[str] = []
    values: list[str] = []
    primary: list[np.ndarray] = []
    verified: list[np.ndarray] = []

    def add(rows: np.ndarray, kind_: str, new_values: list[str], is_primary: bool, at: np.ndarray) -> None:
        customer.append(rows)
        kind.extend([kind_] * len(rows))
        namespace.extend(["web" if kind_ == IdentifierKind.EXTERNAL else ""] * len(rows))
        values.extend(new_values)
        primary.append(np.full(len(rows), is_primary))
        verified.append(at)

    taken: set[str] = set()
    rows = np.flatnonzero(contacts.has_email)
    add(
        rows,
        IdentifierKind.EMAIL,
        _emails(rng, people, countries, rows, taken),
        True,
        verified_email_at[rows],
    )
    rows = np.flatnonzero(contacts.second_email)
    add(rows, IdentifierKind.EMAIL, _emails(rng, people, countries, rows, taken), False, np.zeros(len(rows)))
    rows = np.flatnonzero(contacts.has_phone)
    add(rows, IdentifierKind.PHONE, _phones(rng, countries[rows]), True, verified_phone_at[rows])
    rows = np.flatnonzero(contacts.has_loyalty)
    add(
        rows,
        IdentifierKind.LOYALTY,
        _codes(rng, len(rows), "HR", 8, LOYALTY_ALPHABET),
        True,
        np.zeros(len(rows)),
    )
    rows = np.flatnonzero(contacts.has_web)
    add(
        rows, IdentifierKind.EXTERNAL, _codes(rng, len(rows), "C", 9, "0123456789"), True, np.zeros(len(rows))
    )

    index = np.concatenate(customer)
    verified_at = np.concatenate(verified).astype(np.int64)
    n = len(index)
    created = people.created[index]
    writer.write(
        CustomerIdentifier,
        {
            "id": cp.id_range(cp.next_id(CustomerIdentifier), n),
            "customer_id": cp.ints(people.ids[index]),
            "kind": kind,
            "namespace": namespace,
            "value": values,
            "is_primary": cp.bools(np.concatenate(primary)),
            "verified_at": cp.optional_timestamps(verified_at, verified_at > 0),
            "created_at": cp.timestamps(created),
        },
        bar,
    )


def _emails(
    rng: np.random.Generator, people: Population, countries: np.ndarray, rows: np.ndarray, taken: set[str]
) -> list[str]:
    """name-based addresses in the shapes people pick (jane.doe, janedoe82, jdoe…), lower case."""
    shape = rng.integers(0, 7, len(rows)).tolist()
    number = rng.integers(1, 100, len(rows)).tolist()
    year = ((people.birth_day[rows] // 365 + 1970) % 100).tolist()
    domain_pick = rng.random(len(rows)).tolist()
    out: list[str] = []
    for i, row in enumerate(rows.tolist()):
        given = mail_part(people.given[row]) or "customer"
        family = mail_part(people.family[row]) or "mail"
        local = (
            f"{given}.{family}",
            f"{given}{family}",
            f"{given[0]}{family}",
            f"{given}.{family}{year[i]:02d}",
            f"{family}.{given}",
            f"{given}_{family}{number[i]}",
            f"{given}{number[i]}",
        )[shape[i]]
        domains = MAIL_DOMAINS[countries[row]]
        domain = domains[int(domain_pick[i] ** 1.6 * len(domains))]  # the first provider is the common one
        address = f"{local}@{domain}"
        suffix = 2
        while address in taken:
            address = f"{local}{suffix}@{domain}"
            suffix += 1
        taken.add(address)
        out.append(address)
    return out


def _phones(rng: np.random.Generator, countries: np.ndarray) -> list[str]:
    """Valid E.164 mobile numbers of each customer's country, each used once."""
    out = np.empty(len(countries), dtype=object)
    taken: set[str] = set()
    for country in sorted(set(countries.tolist())):
        rows = np.flatnonzero(countries == country)
        ranges = MOBILE_RANGES[country]
        pick = rng.integers(len(ranges), size=len(rows))
        subscriber = rng.random(len(rows))
        for slot, (r, u) in zip(
            rows.tolist(), zip(pick.tolist(), subscriber.tolist(), strict=True), strict=True
        ):
            prefix, digits = ranges[r]
            number = int(u * 10**digits)
            value = f"{prefix}{number:0{digits}d}"
            while value in taken:
                number = (number + 7919) % 10**digits
                value = f"{prefix}{number:0{digits}d}"
            taken.add(value)
            out[slot] = value
    return list(out)


def _codes(rng: np.random.Generator, n: int, prefix: str, length: int, alphabet: str) -> list[str]:
    letters = np.array(list(alphabet))
    draws = letters[rng.integers(len(alphabet), size=(n, length))]
    codes = [prefix + "".join(row) for row in draws.tolist()]
    seen: set[str] = set()
    for i, code in enumerate(codes):
        while code in seen:
            code = prefix + "".join(letters[rng.integers(len(alphabet), size=length)].tolist())
        seen.add(code)
        codes[i] = code
    return codes
