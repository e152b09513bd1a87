"""Migrations that do not lock a big table, nor break the code still running while they run.

``migrate`` runs before the new code starts, while the old code still serves (README, "Upgrading").
So a migration may not hold a strong lock on an existing table for a time that grows with the table
(PostgreSQL then queues every read and write behind it), nor take away a column or table the old
code uses. Every migration of the project's apps not in ``BASELINE`` is checked: its SQL is collected
as ``sqlmigrate`` prints it (``MigrationLoader`` and ``schema_editor(collect_sql=True)``) and read
statement by statement. Tables created in the same migration are exempt: they are empty.

``BASELINE`` lists the migrations that had already run in production when this check came in; they
are accepted as they are. A later migration a person reviewed and found safe (a table known to stay
small, say) goes into ``REVIEWED``, with the reason.

Why not a maintained linter: django-migration-linter (6.0.0) does not declare Django 6.1, reports a
non-concurrent CREATE INDEX only as a warning, misses foreign keys and checks added without
NOT VALID, and says what is wrong but not what to do instead; django-pg-migration-tools gives safer
operations (worth using) but checks nothing; django-safemigrate orders migrations around a deploy
and does not look at locks.
"""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import NotSupportedError, connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.migration import Migration
from django.db.migrations.state import ProjectState

BASELINE: dict[str, tuple[str, ...]] = {
    "accounts": ("0001_initial", "0002_staff_pin", "0003_tablet_devices"),
    "audit": ("0001_initial", "0002_request_id_append_only", "0003_no_truncate_and_forget_keys"),
    "catalog": ("0001_initial",),
    "common": ("0001_outbox", "0002_refresh_statistics"),
    "consent": (
        "0001_initial",
        "0002_ledger_append_only_and_purposes",
        "0003_optin_codes_links_exports",
        "0004_optout_methods",
        "0005_export_once_per_session",
        "0006_throttles_per_device_and_confirmation",
        "0007_ledger_no_truncate",
    ),
    "customers": (
        "0001_initial",
        "0002_postgres_extensions",
        "0003_unaccent_function",
        "0004_profile_facets_search_tiers",
        "0005_search_gin_and_prefix",
        "0006_source_import",
    ),
    "identity": ("0001_initial",),
    "integrations": (
        "0001_initial",
        "0002_orders_resource",
        "0003_customers_resource",
        "0004_alter_apitoken_resources",
    ),
    "outreach": ("0001_initial", "0002_default_templates"),
    "relationships": ("0001_initial", "0002_note_review", "0003_dashboard_indexes"),
    "sales": ("0001_initial", "0002_service_episode_customer_optional", "0003_order_created_brin"),
    "stores": ("0001_initial", "0002_quiet_hours"),
    "suggestions": (
        "0001_initial",
        "0002_dashboard_indexes",
        "0003_run_batches_sent_at",
        "0004_suggestion_customer_unchecked",
    ),
}

# (app, migration): why it is safe although the check says otherwise.
REVIEWED: dict[tuple[str, str], str] = {
    ("catalog", "0003_replenishment_learnt_unless_said"): (
        "The checks are on catalog_category, a retailer's category tree (hundreds of rows, not "
        "millions), and the new columns hold only NULLs: checking them takes no time."
    ),
    ("stores", "0004_store_sms_number"): (
        "stores_store holds a chain's stores (hundreds of rows); the new column is empty everywhere, so "
        "the unique index and the check are built and validated at once."
    ),
}

# --- What is refused, and what to do instead ---------------------------------------------------------

CONCURRENTLY = (
    "Instead: django.contrib.postgres.operations.AddIndexConcurrently (or RunSQL 'CREATE INDEX "
    "CONCURRENTLY …' with state_operations) in a migration of its own with atomic = False."
)
NOT_VALID = (
    "Instead: add it NOT VALID (RunSQL 'ALTER TABLE … ADD CONSTRAINT … NOT VALID' with "
    "state_operations=[the AddConstraint or AlterField]), then 'ALTER TABLE … VALIDATE CONSTRAINT …' in "
    "a later migration: validating lets reads and writes go on."
)
TWO_RELEASES = (
    "The old code, still serving while migrate runs, uses it and fails. Instead, two releases: in the "
    "first, the code stops using it (SeparateDatabaseAndState removes it from the models only, after "
    "making the column nullable or giving it a db_default so inserts without it work); in the next, a "
    "migration drops it."
)
PROBLEMS = {
    "index": "CREATE INDEX without CONCURRENTLY blocks every write to the table while it builds. "
    + CONCURRENTLY,
    "not null": "ADD COLUMN … NOT NULL without a default fails on a table with rows. Instead: give it a "
    "db_default (a constant default costs nothing since PostgreSQL 11), or add it nullable, backfill "
    "it in batches, then make it NOT NULL as below.",
    "rewrite": "This rewrites the whole table under an ACCESS EXCLUSIVE lock (no reads, no writes). "
    "Instead: add a plain nullable column and fill it in batches.",
    "type": "ALTER COLUMN … TYPE rewrites the whole table and its indexes under an ACCESS EXCLUSIVE lock "
    "(only widening a varchar, or making it text, does not). Instead: a new column the code writes "
    "along with the old one, backfilled in batches and then read instead; the old one dropped in a "
    "later release.",
    "references": "A foreign key added with its column checks every row while both tables are locked. "
    "Instead: add the field with db_constraint=False, then the constraint NOT VALID and validate it "
    "later. " + NOT_VALID,
    "constraint": "ADD CONSTRAINT checks every row while the table is locked. " + NOT_VALID,
    "unique": "ADD CONSTRAINT … UNIQUE builds its index while the table is locked. Instead: "
    "AddIndexConcurrently of a unique index (atomic = False), then RunSQL 'ALTER TABLE … ADD "
    "CONSTRAINT … UNIQUE USING INDEX …' with state_operations.",
    "set not null": "SET NOT NULL scans the whole table under an ACCESS EXCLUSIVE lock. Instead: ADD "
    "CONSTRAINT … CHECK (column IS NOT NULL) NOT VALID; VALIDATE CONSTRAINT in a later migration; then "
    "SET NOT NULL (PostgreSQL uses the valid check and skips the scan) and drop the check.",
    "drop": "DROP COLUMN / DROP TABLE. " + TWO_RELEASES,
    "rename": "RENAME of a column or table: the old code, still serving while migrate runs, uses the "
    "old name and fails. Instead: add the new column, have the code write both and backfill it, then "
    "read the new one; remove the old one as for a DROP, over two releases (or keep the column's name "
    "with db_column=).",
    "atomic": "CONCURRENTLY cannot run inside a transaction. Instead: set atomic = False on this migration "
    "and keep it to the concurrent operations (an interrupted one leaves an INVALID index to drop).",
}
VOLATILE_DEFAULT = re.compile(
    r"DEFAULT\s+\(?\s*(GEN_RANDOM_UUID|RANDOM|CLOCK_TIMESTAMP|NEXTVAL|UUID_GENERATE)", re.IGNORECASE
)


@dataclass(frozen=True)
class Finding:
    statement: str
    problem: str

    def __str__(self) -> str:
        return f"    {self.statement[:160]}\n      {PROBLEMS[self.problem]}"


# --- Reading the SQL ---------------------------------------------------------------------------------

NAME = r'(?:"[^"]+"|[\w.]+)'


def _name(text: str) -> str:
    return text.strip('"').split(".")[-1].strip('"')


def _actions(text: str) -> list[str]:
    """The comma-separated actions of one ALTER TABLE (commas inside parentheses or quotes kept)."""
    actions, depth, quote, current = [], 0, "", []
    for char in text:
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "," and depth == 0:
            actions.append("".join(current).strip())
            current = []
            continue
        current.append(char)
    actions.append("".join(current).strip())
    return actions


def lock_findings(statements: list[str], old_type: Callable[[str, str], str | None]) -> list[Finding]:
    """What in ``statements`` (one migration's SQL) locks an existing table for long or breaks the old
    code. ``old_type(table, column)`` gives a column's type before the migration."""
    created: set[str] = set()  # tables made by this migration: empty, so anything goes
    added: set[tuple[str, str]] = set()  # (table, column) added by this migration
    findings: list[Finding] = []
    for raw in statements:
        statement = " ".join(raw.split()).rstrip(";")
        if statement and not statement.startswith("--"):
            problems = _statement_problems(statement, created, added, old_type)
            findings += [Finding(statement, problem) for problem in problems]
    return findings


def _statement_problems(
    statement: str,
    created: set[str],
    added: set[tuple[str, str]],
    old_type: Callable[[str, str], str | None],
) -> Iterator[str]:
    if match := re.match(rf"CREATE TABLE (?:IF NOT EXISTS )?({NAME})", statement, re.I):
        created.add(_name(match[1]))
    elif match := re.match(
        rf"CREATE (?:UNIQUE )?INDEX (CONCURRENTLY )?(?:IF NOT EXISTS )?(?:{NAME} )?ON (?:ONLY )?({NAME})",
        statement,
        re.I,
    ):
        if not match[1] and _name(match[2]) not in created:
            yield "index"
    elif match := re.match(rf"DROP TABLE (?:IF EXISTS )?({NAME})", statement, re.I):
        if _name(match[1]) not in created:
            yield "drop"
    elif match := re.match(rf"ALTER TABLE (?:ONLY )?(?:IF EXISTS )?({NAME}) (.*)", statement, re.I):
        table = _name(match[1])
        for action in _actions(match[2]):
            problems = list(_action_problems(table, action, added, old_type))  # (notes added columns)
            if table not in created:
                yield from problems


def _action_problems(
    table: str, action: str, added: set[tuple[str, str]], old_type: Callable[[str, str], str | None]
) -> Iterator[str]:
    """The problems of one action of an ALTER TABLE on ``table``; a column it adds goes into ``added``."""
    upper = action.upper()
    if match := re.match(rf"ADD (?:COLUMN )?(?:IF NOT EXISTS )?({NAME}) (.*)", action, re.I):
        if match[1].upper() in {"CONSTRAINT", "PRIMARY", "UNIQUE", "FOREIGN", "CHECK", "EXCLUDE"}:
            yield from _constraint_problems(upper)
            return
        added.add((table, _name(match[1])))
        definition = f" {match[2].upper()} "
        generated = " GENERATED " in definition
        if " NOT NULL " in definition and " DEFAULT " not in definition and not generated:
            yield "not null"
        if generated and (" STORED " in definition or " IDENTITY " in definition):
            yield "rewrite"
        if VOLATILE_DEFAULT.search(definition):
            yield "rewrite"
        if " REFERENCES " in definition:
            yield "references"
        # Django writes a new field's unique=True and its check (a Positive…Field) inside ADD COLUMN.
        if re.search(r" (UNIQUE|PRIMARY KEY) ", definition):
            yield "unique"
        if " CHECK " in definition:
            yield "constraint"
    elif match := re.match(rf"ALTER (?:COLUMN )?({NAME}) (?:SET DATA )?TYPE (.*)", action, re.I):
        column = _name(match[1])
        if (table, column) not in added and not _widens(old_type(table, column), match[2]):
            yield "type"
    elif match := re.match(rf"ALTER (?:COLUMN )?({NAME}) SET NOT NULL", action, re.I):
        if (table, _name(match[1])) not in added:
            yield "set not null"
    elif upper.startswith("DROP") and not upper.startswith("DROP CONSTRAINT"):
        yield "drop"
    elif upper.startswith("RENAME") and not upper.startswith("RENAME CONSTRAINT"):
        yield "rename"


def _constraint_problems(action: str) -> Iterator[str]:
    if "NOT VALID" in action or "USING INDEX" in action:
        return
    if re.search(r"\b(UNIQUE|PRIMARY KEY|EXCLUDE)\b", action):
        yield "unique"
    elif re.search(r"\b(FOREIGN KEY|CHECK)\b", action):
        yield "constraint"


def _widens(before: str | None, after: str) -> bool:
    """Whether changing a column from type ``before`` to ``after`` needs no rewrite (PostgreSQL only
    rewrites nothing for a longer varchar, or varchar to text)."""
    before, after = (before or "").lower(), after.split(" USING ")[0].strip().lower()
    longer = re.fullmatch(r"varchar\((\d+)\)", before), re.fullmatch(r"varchar\((\d+)\)", after)
    if longer[0] and longer[1]:
        return int(longer[1][1]) >= int(longer[0][1])
    return after == "text" and (before == "text" or before.startswith("varchar"))


# --- Collecting a migration's SQL ----------------------------------------------------------------------


def our_apps() -> set[str]:
    base = Path(settings.BASE_DIR)
    return {
        config.label
        for config in apps.get_app_configs()
        if Path(config.path).is_relative_to(base) and "site-packages" not in Path(config.path).parts
    }


@cache
def loader() -> MigrationLoader:
    return MigrationLoader(None, ignore_no_migrations=True)


def check(migration: Migration, state: ProjectState) -> list[Finding]:
    """The findings for ``migration``, applied on top of ``state``."""
    try:
        with connection.schema_editor(collect_sql=True, atomic=migration.atomic) as editor:
            migration.apply(state.clone(), editor, collect_sql=True)
    except NotSupportedError as refused:  # a concurrent operation in an atomic migration
        return [Finding(str(refused), "atomic")]

    @cache
    def columns(table: str) -> dict[str, str | None]:
        model = next(m for m in state.apps.get_models() if m._meta.db_table == table)
        return {field.column: field.db_type(connection) for field in model._meta.local_concrete_fields}

    def old_type(table: str, column: str) -> str | None:
        try:
            return columns(table).get(column)
        except StopIteration:
            return None

    return lock_findings(editor.collected_sql, old_type)


def baseline() -> set[tuple[str, str]]:
    return {(app, name) for app, names in BASELINE.items() for name in names}
