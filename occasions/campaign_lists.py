"""A campaign's own list of clients: head office's file of ids, matched to profiles, reported per row.

The file is text or CSV (UTF-8, a byte-order mark allowed; columns separated by commas, semicolons
or tabs), one id per row in its first column; a first row that is not an id (or is a column's name,
``loyalty``) is taken as the header. The form says what the ids are: the app's client numbers
(``public_id``), loyalty numbers, e-mail addresses, phone numbers, or another system's ids (an
external identifier in its namespace). Each id is normalised as the profile's identifiers are, so
``ab-12 34`` finds ``AB1234``; a phone number without its country code is read as one of the
campaign's stores' country, when they share one.

Each row is one of:

- matched: a client of the campaign's stores (home store) whom the manager may see now; a profile
  merged into another counts as the one it was merged into;
- ``invalid``: not an id of that kind (a first row that is not one is the header, not a row);
- ``repeated``: the same id as an earlier line, or another id of a client an earlier line named;
- ``not_found``: no client of these stores she may see has this id. Unknown ids, erased clients
  (erasure deletes her identifiers and rotates her client number), clients who have not agreed to a
  profile and those of other stores are one answer, so a list cannot be used to learn who is here.

Matched clients are stored as ``CampaignEntry`` rows with the draft, in its transaction: a file that
cannot be read at all (too large, not text, no id in it) is refused whole and nothing is written. The
report keeps line numbers and reasons only, never the ids, so it holds nothing personal.
"""

import csv
import io
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings
from django.db import connection
from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from consent.selectors import customers_visible_to
from customers.identifiers import InvalidIdentifier, normalise
from occasions.models import Campaign

# Only the first problems are kept for the page; the counts are kept whole.
REPORTED_PROBLEMS = 500
# A first row of one of these words is the header even where it would pass for an id (a loyalty
# number is letters and digits).
_HEADER_NAMES = {"id", "ids", "customer", "customer_id", "client", "client_id", "clients", "public_id",
                 "loyalty", "loyalty_number", "number", "card", "email", "phone", "external_id"}  # fmt: skip


class IdKind(TextChoices):
    PUBLIC = "public", _("Client numbers (this app's)")
    LOYALTY = "loyalty", _("Loyalty numbers")
    EMAIL = "email", _("E-mail addresses")
    PHONE = "phone", _("Phone numbers")
    EXTERNAL = "external", _("Another system's ids")


class Problem(TextChoices):
    INVALID = "invalid", _("not an id of this kind")
    REPEATED = "repeated", _("the same client as line %(line)s")
    NOT_FOUND = "not_found", _("no client of these stores you may see (unknown, erased, or not theirs)")


@dataclass(frozen=True)
class ClientList:
    """An uploaded file of ids, and what they are."""

    stream: IO[bytes]
    kind: "IdKind"
    namespace: str = ""


class ListFileError(ValueError):
    """The file as a whole cannot be read: too large, not text, or no id in it."""


@dataclass
class ListReport:
    rows: int = 0
    matched: int = 0
    header: bool = False  # line 1 was read as the columns' names
    counts: dict[str, int] = field(default_factory=dict)
    # (line, problem, the earlier line for a repeat or 0), the first REPORTED_PROBLEMS of them.
    problems: list[tuple[int, str, int]] = field(default_factory=list)

    def add(self, line: int, problem: Problem, earlier: int = 0) -> None:
        self.counts[problem.value] = self.counts.get(problem.value, 0) + 1
        if len(self.problems) < REPORTED_PROBLEMS:
            self.problems.append((line, problem.value, earlier))

    def as_json(self) -> dict[str, Any]:
        return {"rows": self.rows, "matched": self.matched, "header": self.header, "counts": self.counts,
                "problems": self.problems}  # fmt: skip


def read_ids(stream: IO[bytes]) -> Iterator[tuple[int, str]]:
    """(line number, first cell) of each non-empty row. Refuses a file larger than
    ``CAMPAIGN_LIST_MAX_BYTES``."""
    raw = stream.read(settings.CAMPAIGN_LIST_MAX_BYTES + 1)
    if len(raw) > settings.CAMPAIGN_LIST_MAX_BYTES:
        raise ListFileError(
            _("The file is larger than %(mb)s MB: split it into several campaigns.")
            % {"mb": settings.CAMPAIGN_LIST_MAX_BYTES // (1024 * 1024)}
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ListFileError(
            _("The file is not UTF-8 text (byte %(at)s): save it as CSV UTF-8.") % {"at": error.start}
        ) from None
    if "\x00" in text:
        raise ListFileError(_("The file is not text: save it as CSV UTF-8."))
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        for line, row in enumerate(rows, start=1):
            cell = row[0].strip() if row else ""
            if cell:
                yield line, cell
    except csv.Error:
        raise ListFileError(
            _("Line %(n)s cannot be read as CSV (a quote left open?).") % {"n": rows.line_num}
        ) from None


def _delimiter(text: str) -> str:
    """What separates the columns: a comma, or the semicolon a French spreadsheet writes, or a tab."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    if "\t" in first:
        return "\t"
    return ";" if ";" in first and "," not in first else ","


def _count_row(report: ListReport) -> None:
    report.rows += 1
    if report.rows > settings.CAMPAIGN_LIST_MAX_ROWS:
        raise ListFileError(
            _("The file has more than %(n)s ids: split it into several campaigns.")
            % {"n": settings.CAMPAIGN_LIST_MAX_ROWS}
        )


def _normalised(kind: IdKind, raw: str, region: str | None) -> str:
    if kind == IdKind.PUBLIC:
        try:
            return str(uuid.UUID(raw))
        except ValueError:
            raise InvalidIdentifier(_("A client number looks like 3f2b…-….")) from None
    return normalise(kind.value, raw, default_region=region)


# A merged profile's id leads to the one it was merged into, however many merges deep.
_MATCH = """
WITH RECURSIVE listed(line, value) AS (SELECT * FROM unnest(%s::int[], %s::text[])),
found AS (
  SELECT l.line, c.id AS customer_id, c.merged_into_id AS next_id, 0 AS depth
    FROM listed l
    LEFT JOIN {lookup}),
chain AS (
  SELECT * FROM found
  UNION ALL
  SELECT h.line, c.id, c.merged_into_id, h.depth + 1
    FROM chain h JOIN customers_customer c ON c.id = h.next_id WHERE h.depth < 20),
allowed AS ({allowed})
SELECT h.line, h.customer_id FROM chain h
 WHERE h.next_id IS NULL AND h.customer_id IN (SELECT id FROM allowed)"""

_BY_PUBLIC_ID = "customers_customer c ON c.public_id = l.value::uuid"
_BY_IDENTIFIER = """customers_customeridentifier i ON i.kind = %s AND i.namespace = %s AND i.value = l.value
    LEFT JOIN customers_customer c ON c.id = i.customer_id"""


def attach_list(
    *, by: User, campaign: Campaign, stream: IO[bytes], kind: IdKind, namespace: str = ""
) -> ListReport:
    """Match the file's ids to the clients of ``campaign``'s stores ``by`` may see, store them as its
    list, and report each row (see the module docstring). Call it inside the draft's transaction."""
    report = ListReport()
    countries = set(campaign.stores.values_list("country", flat=True))
    region = countries.pop() if len(countries) == 1 else None  # how a national phone number is read
    lines: list[int] = []
    values: list[str] = []
    first_line: dict[str, int] = {}
    for line, raw in read_ids(stream):
        if line == 1 and raw.lower() in _HEADER_NAMES:
            report.header = True
            continue
        try:
            value = _normalised(kind, raw, region)
        except InvalidIdentifier:
            if line == 1:  # a first row that is not an id is the file's header
                report.header = True
            else:
                _count_row(report)
                report.add(line, Problem.INVALID)
            continue
        _count_row(report)
        if value in first_line:
            report.add(line, Problem.REPEATED, first_line[value])
            continue
        first_line[value] = line
        lines.append(line)
        values.append(value)
    if report.rows == 0:
        raise ListFileError(_("The file has no id in it."))
    store_ids = list(campaign.stores.values_list("pk", flat=True))
    allowed_sql, allowed_params = (
        customers_visible_to(by).filter(home_store_id__in=store_ids).values("id").query.sql_with_params()
    )
    lookup, lookup_params = (
        (_BY_PUBLIC_ID, [])
        if kind == IdKind.PUBLIC
        else (_BY_IDENTIFIER, [kind.value, namespace if kind == IdKind.EXTERNAL else ""])
    )
    with connection.cursor() as cursor:
        cursor.execute(
            _MATCH.format(lookup=lookup, allowed=allowed_sql),
            [lines, values, *lookup_params, *allowed_params],
        )
        matched = dict(cursor.fetchall())
    entries: list[tuple[int, int]] = []  # (customer id, line)
    seen: dict[int, int] = {}
    for line in lines:
        customer_id = matched.get(line)
        if customer_id is None:
            report.add(line, Problem.NOT_FOUND)
        elif customer_id in seen:
            report.add(line, Problem.REPEATED, seen[customer_id])
        else:
            seen[customer_id] = line
            entries.append((customer_id, line))
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO occasions_campaignentry (campaign_id, customer_id, line)"
            " SELECT %s, * FROM unnest(%s::bigint[], %s::int[])",
            [campaign.pk, [e[0] for e in entries], [e[1] for e in entries]],
        )
    report.matched = len(entries)
    report.problems.sort()
    Campaign.objects.filter(pk=campaign.pk).update(from_list=True, list_report=report.as_json())
    campaign.from_list, campaign.list_report = True, report.as_json()
    return report


def problem_rows(campaign: Campaign) -> list[tuple[int, str]]:
    """The report's rows as (line, sentence), for the campaign's page."""
    rows = []
    for line, problem, earlier in campaign.list_report.get("problems", []):
        sentence = str(Problem(problem).label)
        rows.append((line, sentence % {"line": earlier} if problem == Problem.REPEATED else sentence))
    return rows
