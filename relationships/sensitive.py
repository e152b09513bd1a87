"""Spotting special-category data in free text before it is saved.

Associates write notes in a hurry. Health, pregnancy, religion, ethnicity, sexuality and money are
special categories under GDPR and have no place in a sales note unless the associate means it; card
numbers never do. This check is a speed bump, not a filter: it names what it found, the associate
confirms or rewrites, and confirmed notes go to the manager's review queue.
"""

import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

# Word stems per topic, English and French (the project's two languages). Stems match word starts,
# so "pregnan" catches pregnant/pregnancy; short words are whole-word only. Words that are mostly
# about clothes in a shop ("black", "white", "operation", "benefits") are left out on purpose.
TOPICS: dict[str, tuple[str, ...]] = {
    "health": (
        "health",
        "ill",
        "illness",
        "sick",
        "disease",
        "diabet",
        "cancer",
        "chemo",
        "tumour",
        "tumor",
        "surgery",
        "hospital",
        "medic",
        "prescri",
        "allerg",
        "asthma",
        "depress",
        "anxiety",
        "therap",
        "disab",
        "wheelchair",
        "hearing aid",
        "mastectom",
        "eczema",
        "psoriasis",
        "adhd",
        "autis",
        "dementia",
        "alzheimer",
        "santé",
        "malad",
        "hôpital",
        "médic",
        "handicap",
    ),
    "pregnancy": (
        "pregnan",
        "expecting a baby",
        "maternity",
        "miscarr",
        "ivf",
        "fertility",
        "trying for a baby",
        "due date",
        "grossesse",
        "enceinte",
        "fausse couche",
    ),
    "religion": (
        "religio",
        "church",
        "mosque",
        "synagogue",
        "temple",
        "muslim",
        "islam",
        "christian",
        "catholic",
        "jewish",
        "judaism",
        "hindu",
        "buddhis",
        "sikh",
        "halal",
        "kosher",
        "ramadan",
        "pray",
        "église",
        "mosquée",
        "musulman",
        "juif",
        "juive",
        "chrétien",
        "catholique",
    ),
    "ethnicity": (
        "ethnic",
        "race",
        "racial",
        "arab",
        "african",
        "roma",
        "gypsy",
        "immigrant",
        "refugee",
        "origine",
        "ethnie",
        "immigré",
        "réfugié",
    ),
    "sexuality": (
        "gay",
        "lesbian",
        "bisexual",
        "transgender",
        "queer",
        "lgbt",
        "sexual",
        "homosex",
        "lesbienne",
        "homosexuel",
    ),
    "finances": (
        "debt",
        "bankrupt",
        "salary",
        "income",
        "loan",
        "overdraft",
        "credit score",
        "unemploy",
        "laid off",
        "redundan",
        "can't afford",
        "cannot afford",
        "dette",
        "salaire",
        "chômage",
        "faillite",
    ),
}

TOPIC_LABELS = {
    "health": _("health"),
    "pregnancy": _("pregnancy"),
    "religion": _("religion"),
    "ethnicity": _("ethnicity"),
    "sexuality": _("sexuality"),
    "finances": _("finances"),
    "card_number": _("a card-like number"),
}

_SHORT = 4  # stems this short or shorter must match a whole word ("ill", "gay", "ivf")


def _pattern(stems: tuple[str, ...]) -> re.Pattern[str]:
    parts = [
        rf"\b{re.escape(stem.strip())}\b" if len(stem.strip()) <= _SHORT else rf"\b{re.escape(stem.strip())}"
        for stem in stems
    ]
    return re.compile("|".join(parts), re.IGNORECASE)


_PATTERNS = {topic: _pattern(stems) for topic, stems in TOPICS.items()}
_DIGIT_RUN = re.compile(r"(?:\d[ -]?){12,18}\d")


def _luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


@dataclass(frozen=True)
class Finding:
    topics: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.topics)

    @property
    def labels(self) -> list[str]:
        return [str(TOPIC_LABELS[topic]) for topic in self.topics]


def find_sensitive_topics(text: str) -> Finding:
    """The special-category topics (and card-like numbers) that ``text`` seems to mention."""
    found = [topic for topic, pattern in _PATTERNS.items() if pattern.search(text)]
    for match in _DIGIT_RUN.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        if 13 <= len(digits) <= 19 and _luhn_ok(digits):
            found.append("card_number")
            break
    return Finding(tuple(found))
