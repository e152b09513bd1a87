import difflib
import unicodedata

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


def _fold(char: str) -> str:
    """One character, lower-cased and without accents, so positions line up with the original."""
    base = unicodedata.normalize("NFKD", char)[0].lower()
    return base if len(base) == 1 else char.lower()


@register.filter
def highlight(text: str, query: str) -> SafeString:
    """Wrap the parts of ``text`` that match the words of ``query`` in <mark> (accent- and typo-tolerant)."""
    text = str(text)
    folded = "".join(_fold(c) for c in text)
    marked = [False] * len(text)
    for token in {"".join(_fold(c) for c in word) for word in str(query).split() if len(word) >= 2}:
        start = folded.find(token)
        if start >= 0:
            marked[start : start + len(token)] = [True] * len(token)
            continue
        position = 0
        for word in folded.split(" "):
            if word and difflib.SequenceMatcher(None, word, token).ratio() >= 0.7:
                marked[position : position + len(word)] = [True] * len(word)
            position += len(word) + 1
    out, inside = [], False
    for char, mark in zip(text, marked, strict=True):
        if mark != inside:
            out.append("<mark>" if mark else "</mark>")
            inside = mark
        out.append(escape(char))
    if inside:
        out.append("</mark>")
    return mark_safe("".join(out))  # noqa: S308 - every character above went through escape()
