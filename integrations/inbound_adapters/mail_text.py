"""Her new words in a reply, without the thread her mail client quoted below them.

A reply's text part usually holds her answer, then an attribution line ("On Fri, 5 Dec 2026,
London Marylebone wrote:", which Gmail may wrap over two lines; "Le … a écrit :"; Outlook's
"-----Original Message-----" or its "From: … / Sent: …" block) and the quoted thread, and may end in
a signature after "-- ". ``her_new_text`` keeps what comes before the attribution and the signature,
without quoted lines (">"), so an answer written between quoted lines is kept too. Used only when
the provider did not strip the reply itself.
"""

import html
import re

_ATTRIBUTION = re.compile(
    r"(?:on\s.+\swrote|le\s.+\sa\s+écrit)\s*:\s*"
    r"|-{2,}\s*(?:original message|message d'origine)\s*-{2,}"
    r"|_{10,}",  # Outlook's rule above its header block
    re.IGNORECASE,
)
_HEADER_BLOCK = re.compile(r"(?:from|de)\s*:\s.+", re.IGNORECASE)
_HEADER_NEXT = re.compile(r"(?:sent|date|envoyé)\s*:\s.*", re.IGNORECASE)


def _starts_the_quote(lines: list[str], at: int) -> bool:
    line = lines[at].strip()
    following = lines[at + 1].strip() if at + 1 < len(lines) else ""
    if _ATTRIBUTION.fullmatch(line):
        return True
    if line.lower().startswith(("on ", "le ")) and _ATTRIBUTION.fullmatch(f"{line} {following}"):
        return True  # an attribution wrapped over two lines
    return bool(_HEADER_BLOCK.fullmatch(line) and _HEADER_NEXT.fullmatch(following))


def her_new_text(text: str) -> str:
    """``text`` without the quoted thread, its attribution and her signature ("" if nothing is left)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept: list[str] = []
    for at, line in enumerate(lines):
        if line.rstrip() == "--" or _starts_the_quote(lines, at):
            break
        if not line.lstrip().startswith(">"):
            kept.append(line.rstrip())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()


_QUOTED_HTML = re.compile(r'<blockquote|<div[^>]*class="[^"]*(?:gmail_quote|moz-cite-prefix)', re.IGNORECASE)
_INVISIBLE = re.compile(r"<(style|script|head)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_BREAKS = re.compile(r"<br\s*/?>|</(?:p|div|li|tr|h\d)\s*>", re.IGNORECASE)
_TAGS = re.compile(r"<[^>]*>")


def text_of_html(markup: str) -> str:
    """The text of an HTML-only mail, up to the quoted thread (a ``blockquote`` or Gmail's and
    Thunderbird's quote), one line per paragraph or line break."""
    if quoted := _QUOTED_HTML.search(markup):
        markup = markup[: quoted.start()]
    markup = _BREAKS.sub("\n", _INVISIBLE.sub("", markup))
    return html.unescape(_TAGS.sub("", markup))
