"""The privacy text a customer reads before she chooses, per language, as published.

The texts live in ``consent/policies/<version>.<language>.txt``. The first time a version is needed
in a language it is published as a ``PolicyVersion`` with the hash of those exact words; every
consent event then points at it, so the ledger proves which words she saw.
"""

from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import translation

from consent.models import PolicyVersion
from consent.services import publish_policy_version

CURRENT_VERSION = "2026-11"
_FOLDER = Path(__file__).resolve().parent / "policies"


def policy_text(language: str, version: str = CURRENT_VERSION) -> tuple[str, str]:
    """(language actually used, text): the requested language, else the site's default language."""
    for candidate in (language, settings.LANGUAGE_CODE):
        path = _FOLDER / f"{version}.{candidate}.txt"
        if path.exists():
            return candidate, path.read_text(encoding="utf-8").strip()
    raise LookupError(f"No privacy text for version {version!r}.")


def current_policy(language: str | None = None) -> PolicyVersion:
    """The published ``PolicyVersion`` for the current text in ``language`` (publishing it if new)."""
    language, text = policy_text(translation.get_language() if language is None else language)
    existing = PolicyVersion.objects.filter(version=CURRENT_VERSION, language=language).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return publish_policy_version(version=CURRENT_VERSION, text=text, language=language)
    except IntegrityError:  # published concurrently
        return PolicyVersion.objects.get(version=CURRENT_VERSION, language=language)


def policy_sections(text: str) -> list[tuple[str, list[str]]]:
    """The text as (heading, lines) sections for display: a heading line, then its paragraphs."""
    sections = []
    for block in text.split("\n\n"):
        heading, *lines = block.strip().splitlines()
        sections.append((heading, lines))
    return sections
