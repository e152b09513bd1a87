"""The committed French catalogue as the i18n tests read it (no polib in the environment): a small
parser, enough for this project's ``.po`` file."""

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

CATALOGUE = Path(settings.PACKAGE_DIR) / "locale" / "fr" / "LC_MESSAGES"


@dataclass(frozen=True)
class Entry:
    context: str | None
    msgid: str
    msgid_plural: str | None
    msgstrs: tuple[str, ...]  # one per plural form
    flags: tuple[str, ...]
    references: tuple[str, ...]  # "path:line"

    @property
    def key(self) -> str:
        """As gettext keys it: the context, then EOT, then the msgid."""
        return f"{self.context}\x04{self.msgid}" if self.context is not None else self.msgid


def entries(po_text: str) -> list[Entry]:
    """Every entry but the header, in the file's order."""
    found = []
    for block in po_text.split("\n\n"):
        fields: dict[str, str] = {}
        flags: list[str] = []
        references: list[str] = []
        key = ""
        for line in block.strip().splitlines():
            if line.startswith("#,"):
                flags += [flag.strip() for flag in line[2:].split(",")]
            elif line.startswith("#:"):
                references += line[2:].split()
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                fields[key] += eval(line)  # a quoted C-style string literal  # noqa: S307
            else:
                key, _, value = line.partition(" ")
                fields[key] = eval(value)  # noqa: S307
        if fields.get("msgid"):
            msgstrs = [value for name, value in sorted(fields.items()) if name.startswith("msgstr")]
            found.append(
                Entry(
                    context=fields.get("msgctxt"),
                    msgid=fields["msgid"],
                    msgid_plural=fields.get("msgid_plural"),
                    msgstrs=tuple(msgstrs),
                    flags=tuple(flags),
                    references=tuple(references),
                )
            )
    return found


def translations(po_text: str) -> dict[str, str]:
    """gettext key → its translation (the first plural form)."""
    return {entry.key: entry.msgstrs[0] if entry.msgstrs else "" for entry in entries(po_text)}
