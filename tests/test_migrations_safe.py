"""Every migration since the baseline takes no long lock on a big table and keeps what the old code
uses (the rules: tests/migration_safety.py); and the check refuses what it should, and says what to do."""

import pytest
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import connection, migrations, models
from django.db.migrations.migration import Migration
from django.db.models import Q
from django.db.models.functions import Lower

from tests.migration_safety import PROBLEMS, REVIEWED, baseline, check, loader, our_apps


@pytest.fixture
def outside_transactions(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """The test database's connection, not inside a test's transaction (a concurrent index refuses
    one), for collecting SQL: nothing is run."""
    with django_db_blocker.unblock():
        yield connection
        # Outside a test's transaction, the connection went back to the pool, which would keep it open
        # on the test database past the run's end (and stop its teardown from dropping it).
        connection.close()
        if hasattr(connection, "close_pool"):
            connection.close_pool()


# --- The check -------------------------------------------------------------------------------------


def test_every_migration_since_the_baseline_takes_no_long_lock_and_keeps_what_old_code_uses(
    outside_transactions,
):
    ours = our_apps()
    new = sorted(
        key
        for key in loader().disk_migrations
        if key[0] in ours and key not in baseline() and key not in REVIEWED
    )
    report = []
    for app, name in new:
        findings = check(loader().get_migration(app, name), loader().project_state((app, name), at_end=False))
        report += [f"{app}.{name}:", *map(str, findings)] if findings else []

    assert not report, "Migrations that would lock a big table or break the running code:\n" + "\n".join(
        report
    )


def test_the_baseline_and_the_reviewed_name_migrations_that_exist():
    missing = (baseline() | set(REVIEWED)) - set(loader().disk_migrations)

    assert not missing, f"No such migrations (renamed or squashed? update the lists): {sorted(missing)}"


# --- The check can fail: migrations made here, on the customers table --------------------------------


def on_customers(*operations: migrations.operations.base.Operation, atomic: bool = True) -> Migration:
    migration = Migration("0999_checked", "customers")
    migration.operations = list(operations)
    migration.atomic = atomic
    return migration


def problems_of(migration: Migration) -> list[str]:
    return [finding.problem for finding in check(migration, loader().project_state())]


BAD = {
    "a new unique column": (
        on_customers(
            migrations.AddField("customer", "badge", models.CharField(max_length=20, null=True, unique=True))
        ),
        "unique",
    ),
    "a new positive column (its check)": (
        on_customers(migrations.AddField("customer", "visits", models.PositiveIntegerField(default=0))),
        "constraint",
    ),
    "an index": (
        on_customers(migrations.AddIndex("customer", models.Index(fields=["locale"], name="c_locale"))),
        "index",
    ),
    "a unique index": (
        on_customers(
            migrations.AddConstraint(
                "customer",
                models.UniqueConstraint(fields=["locale"], condition=Q(locale="x"), name="c_locale_u"),
            )
        ),
        "index",
    ),
    "a unique constraint": (
        on_customers(
            migrations.AddConstraint(
                "customer", models.UniqueConstraint(fields=["locale", "country"], name="c_lc_u")
            )
        ),
        "unique",
    ),
    "a column not null without default": (
        on_customers(migrations.AddField("customer", "visits", models.IntegerField())),
        "not null",
    ),
    "a stored generated column": (
        on_customers(
            migrations.AddField(
                "customer",
                "locale_lower",
                models.GeneratedField(
                    expression=Lower("locale"), output_field=models.CharField(max_length=12), db_persist=True
                ),
            )
        ),
        "rewrite",
    ),
    "a column with its foreign key": (
        on_customers(
            migrations.AddField(
                "customer",
                "second_store",
                models.ForeignKey("stores.Store", null=True, on_delete=models.SET_NULL, db_index=False),
            )
        ),
        "references",
    ),
    "a shorter varchar": (
        on_customers(migrations.AlterField("customer", "locale", models.CharField(max_length=5, blank=True))),
        "type",
    ),
    "a check constraint": (
        on_customers(
            migrations.AddConstraint(
                "customer", models.CheckConstraint(condition=~Q(country="ZZ"), name="c_country_not_zz")
            )
        ),
        "constraint",
    ),
    "a foreign key on an existing column": (
        on_customers(
            migrations.RunSQL(
                "ALTER TABLE customers_customer ADD CONSTRAINT c_home FOREIGN KEY (home_store_id) "
                "REFERENCES stores_store (id)"
            )
        ),
        "constraint",
    ),
    "not null on an existing column": (
        on_customers(migrations.AlterField("customer", "birth_date", models.DateField(blank=True))),
        "set not null",
    ),
    "a dropped column": (on_customers(migrations.RemoveField("customer", "preferred_name")), "drop"),
    "a renamed column": (
        on_customers(migrations.RenameField("customer", "preferred_name", "known_as")),
        "rename",
    ),
    "a concurrent index in an atomic migration": (
        on_customers(AddIndexConcurrently("customer", models.Index(fields=["locale"], name="c_locale"))),
        "atomic",
    ),
}


@pytest.mark.parametrize(("migration", "problem"), BAD.values(), ids=list(BAD))
def test_the_check_refuses_a_migration_that_locks_a_big_table_and_says_what_to_do(
    outside_transactions, migration, problem
):
    assert problem in problems_of(migration)
    assert "Instead" in PROBLEMS[problem]


SAFE = {
    "a concurrent index, not atomic": on_customers(
        AddIndexConcurrently("customer", models.Index(fields=["locale"], name="c_locale")), atomic=False
    ),
    "a new table with its indexes and foreign keys": on_customers(
        migrations.CreateModel(
            "Visit",
            [
                ("id", models.BigAutoField(primary_key=True)),
                ("customer", models.ForeignKey("customers.Customer", on_delete=models.CASCADE)),
                ("at", models.DateTimeField()),
            ],
        ),
        migrations.AddIndex("visit", models.Index(fields=["at"], name="visit_at")),
        migrations.AddConstraint(
            "visit", models.UniqueConstraint(fields=["customer", "at"], name="visit_once")
        ),
    ),
    "a nullable column": on_customers(
        migrations.AddField("customer", "nickname", models.CharField(max_length=20, null=True))
    ),
    "a not-null column with a db_default": on_customers(
        migrations.AddField("customer", "visits", models.IntegerField(db_default=0))
    ),
    "a not-null column with a default": on_customers(
        migrations.AddField("customer", "visits", models.IntegerField(default=0))
    ),
    "a foreign key column without its constraint": on_customers(
        migrations.AddField(
            "customer",
            "second_store",
            models.ForeignKey(
                "stores.Store", null=True, on_delete=models.SET_NULL, db_index=False, db_constraint=False
            ),
        )
    ),
    "a longer varchar": on_customers(
        migrations.AlterField("customer", "locale", models.CharField(max_length=35, blank=True))
    ),
    "a constraint not valid, then validated": on_customers(
        migrations.RunSQL(
            "ALTER TABLE customers_customer ADD CONSTRAINT c_home FOREIGN KEY (home_store_id) "
            "REFERENCES stores_store (id) NOT VALID"
        ),
        migrations.RunSQL("ALTER TABLE customers_customer VALIDATE CONSTRAINT c_home"),
    ),
    "a renamed index": on_customers(
        migrations.RenameIndex("customer", new_name="customer_birthday_md", old_name="customer_birthday")
    ),
}


@pytest.mark.parametrize("migration", SAFE.values(), ids=list(SAFE))
def test_the_check_lets_the_safe_ways_through(outside_transactions, migration):
    assert problems_of(migration) == []
