"""Localised name pools: Faker is called a few thousand times in all, never once per customer."""

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from faker import Faker

FAKER_LOCALES = {"GB": "en_GB", "IE": "en_IE", "FR": "fr_FR", "DE": "de_DE", "NL": "nl_NL"}
POOL_DRAWS = 1500

# Short forms people ask to be called by; the card shows the preferred name when there is one.
NICKNAMES = {
    "Alexander": "Alex", "Alexandra": "Alex", "Benjamin": "Ben", "Catherine": "Cath", "Charlotte": "Lottie",
    "Christopher": "Chris", "Daniel": "Dan", "Deborah": "Debbie", "Edward": "Ed", "Eleanor": "Nell",
    "Elizabeth": "Liz", "Frederick": "Fred", "Gabriel": "Gabe", "Jacqueline": "Jackie", "James": "Jim",
    "Jennifer": "Jen", "Jonathan": "Jon", "Joseph": "Joe", "Katherine": "Kate", "Kathryn": "Kate",
    "Margaret": "Maggie", "Matthew": "Matt", "Michael": "Mike", "Nicholas": "Nick", "Patricia": "Trish",
    "Rebecca": "Becky", "Richard": "Rich", "Robert": "Rob", "Samantha": "Sam", "Samuel": "Sam",
    "Stephanie": "Steph", "Susan": "Sue", "Thomas": "Tom", "Victoria": "Vicky", "William": "Will",
    "Jean-Baptiste": "JB", "Marie-Claire": "Marie", "Anne-Sophie": "Sophie", "Jean-Pierre": "JP",
    "Maximilian": "Max", "Johannes": "Hannes", "Friedrich": "Fritz", "Elisabeth": "Lisa",
    "Wolfgang": "Wolf", "Cornelis": "Kees", "Johanna": "Hanna", "Hendrik": "Henk", "Willemijn": "Wil",
    "Siobhán": "Shiv", "Caoimhe": "Keeva", "Patrick": "Paddy", "Seán": "Shane",
}  # fmt: skip

_SPECIAL = str.maketrans(
    {"ß": "ss", "ø": "o", "Ø": "o", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "ł": "l"}
)
_NOT_MAIL = re.compile(r"[^a-z]")


@dataclass(frozen=True)
class NamePool:
    female: tuple[str, ...]
    male: tuple[str, ...]
    family: tuple[str, ...]


@cache
def name_pool(country: str, seed: int) -> NamePool:
    """A few hundred first and family names for a country, the same for the same seed."""
    fake = Faker(FAKER_LOCALES[country])
    fake.seed_instance(seed)
    # dict.fromkeys keeps first-seen order, unlike a set whose order changes between processes.
    female = tuple(dict.fromkeys(fake.first_name_female() for _ in range(POOL_DRAWS)))
    male = tuple(dict.fromkeys(fake.first_name_male() for _ in range(POOL_DRAWS)))
    family = tuple(dict.fromkeys(fake.last_name() for _ in range(POOL_DRAWS)))
    return NamePool(female=female, male=male, family=family)


@cache
def mail_part(name: str) -> str:
    """The name as the plain lower-case letters people use in e-mail addresses (Zoë → zoe)."""
    folded = unicodedata.normalize("NFKD", name.translate(_SPECIAL))
    return _NOT_MAIL.sub("", folded.encode("ascii", "ignore").decode().lower())
