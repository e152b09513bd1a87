"""Spotting special-category data, insults and personal numbers in free text.

Associates write notes in a hurry. Health, pregnancy, religion, ethnicity, sexuality, politics and
money are special categories under GDPR (or close to them) and have no place in a sales note unless
the associate means it; insults never do, nor do card, phone or identity numbers. The same check
serves twice: as a speed bump on the tablet (it names what it found, the associate confirms or
rewrites) and in the manager's review queue, where what it found is highlighted in the note.

The words are in ``relationships/terms/<language>.toml``, one file per language, so that adding a
word or a language needs no code; the patterns for numbers are below.
"""

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.utils.translation import gettext_lazy as _

TERMS = Path(__file__).parent / "terms"

TOPIC_LABELS = {
    "health": _("health"),
    "pregnancy": _("pregnancy"),
    "religion": _("religion"),
    "ethnicity": _("ethnicity"),
    "sexuality": _("sexuality"),
    "politics": _("politics"),
    "finances": _("finances"),
    "insults": _("an insult"),
    "card_number": _("a card-like number"),
    "phone_number": _("a phone number"),
    "id_number": _("an identity-document number"),
}
_SHORT = 4  # words this short or shorter must match whole ("ill", "gay", "ivf", "cow")

_DIGIT_RUN = re.compile(r"(?:\d[ -]?){12,18}\d")
# A phone number as people write one: an international prefix or a leading 0, then 8 to 12 more
# digits, with spaces, dots or dashes between. Order numbers and sizes rarely start with 0 or +.
_PHONE = re.compile(r"(?<![\w+])(?:\+\d{1,3}[ .-]?(?:\(0\)[ .-]?)?|0)\d(?:[ .-]?\d){7,11}(?![\w])")
_ID_NUMBERS = (
    # UK National Insurance number (AB 12 34 56 C), French social security number (NIR).
    re.compile(r"\b[A-CEGHJ-PR-TW-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b", re.IGNORECASE),
    re.compile(r"\b[12] ?\d{2} ?(?:0[1-9]|1[0-2]) ?(?:\d{2}|2[AB]) ?\d{3} ?\d{3}(?: ?\d{2})?\b"),
    # A document named, then a number with at least four digits: "passport 12AB34567".
    re.compile(
        r"\b(?:passport|passeport|driving licen[cs]e|permis|id card|carte d'identité|cni)\b\W{0,3}"
        r"(?:no\.?|number|n°|numéro)?\W{0,3}(?=[A-Z0-9]*\d{4})[A-Z0-9]{6,12}\b",
        re.IGNORECASE,
    ),
)


@dataclass(frozen=True)
class Match:
    start: int
    end: int
    topic: str


@dataclass(frozen=True)
class Finding:
    topics: tuple[str, ...]
    matches: tuple[Match, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.topics)

    @property
    def labels(self) -> list[str]:
        return [str(TOPIC_LABELS[topic]) for topic in self.topics]


@cache
def _patterns() -> dict[str, re.Pattern[str]]:
    """One pattern per topic, from every language's word list."""
    words: dict[str, list[str]] = {}
    for path in sorted(TERMS.glob("*.toml")):
        with path.open("rb") as handle:
            for topic, entries in tomllib.load(handle).items():
                if topic not in TOPIC_LABELS:
                    raise ValueError(f"{path.name}: unknown topic {topic!r}")
                words.setdefault(topic, []).extend(entry.strip() for entry in entries)
    return {
        topic: re.compile(
            "|".join(
                rf"\b{re.escape(word)}\b" if len(word) <= _SHORT else rf"\b{re.escape(word)}\w*"
                for word in sorted(set(entries), key=len, reverse=True)
            ),
            re.IGNORECASE,
        )
        for topic, entries in words.items()
    }


def _luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def find_sensitive_topics(text: str) -> Finding:
    """What ``text`` seems to mention: the topics, in a fixed order, and where each was found."""
    matches = [
        Match(m.start(), m.end(), topic)
        for topic, pattern in _patterns().items()
        for m in pattern.finditer(text)
    ]
    cards = [
        Match(m.start(), m.end(), "card_number")
        for m in _DIGIT_RUN.finditer(text)
        if 13 <= len(digits := re.sub(r"\D", "", m.group())) <= 19 and _luhn_ok(digits)
    ]
    ids = [Match(m.start(), m.end(), "id_number") for pattern in _ID_NUMBERS for m in pattern.finditer(text)]
    numbers = cards + ids
    matches += numbers
    matches += [  # a card or identity number is not also a phone number
        Match(m.start(), m.end(), "phone_number")
        for m in _PHONE.finditer(text)
        if not any(n.start < m.end() and m.start() < n.end for n in numbers)
    ]
    found = {match.topic for match in matches}
    return Finding(
        tuple(topic for topic in TOPIC_LABELS if topic in found),
        tuple(sorted(matches, key=lambda match: (match.start, -match.end))),
    )
