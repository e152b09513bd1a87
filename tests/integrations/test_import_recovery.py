"""A load after a crash: planned on fresh statistics, and stopped whole with a clear message when a
statement runs past its time."""

import pytest
from django.core.management import CommandError, call_command
from django.db import ProgrammingError, connection

from catalog.models import Product
from common.db_roles import as_owner
from common.db_stats import refresh_statistics
from integrations.imports import import_sales
from sales.models import Order
from tests.factories import OrderLineFactory
from tests.integrations.test_imports import GENERIC

pytestmark = pytest.mark.django_db


@pytest.fixture
def generic(tmp_path, store):
    path = tmp_path / "sales.csv"
    path.write_text(GENERIC)
    return path


def reltuples(table: str) -> float:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table])
        return float(cursor.fetchone()[0])


def test_a_load_plans_on_fresh_statistics_even_when_the_tables_were_never_analysed(generic):
    """What a load after a crash needs: its set-based statements are planned on what the tables hold
    now, not on what autovacuum last saw (here: never analysed, -1)."""
    for _ in range(40):
        OrderLineFactory()
    assert reltuples("sales_orderline") < 40  # the statistics do not know them

    import_sales(generic, source="pos")

    assert reltuples("sales_orderline") >= 40
    assert reltuples("sales_order") >= 40


def test_the_statistics_function_analyses_the_apps_tables_and_nothing_else(db):
    with pytest.raises(ProgrammingError, match="not a table of the app: pg_authid"):
        refresh_statistics(["pg_authid"])


SLOW_LINES = """
    CREATE FUNCTION test_slow_lines() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN PERFORM pg_sleep(3); RETURN NULL; END $$;
    CREATE TRIGGER test_slow_lines AFTER INSERT ON sales_orderline
        FOR EACH STATEMENT EXECUTE FUNCTION test_slow_lines();
"""


@pytest.fixture
def slow_line_inserts(django_db_blocker):  # type: ignore[no-untyped-def]
    with as_owner(), connection.cursor() as cursor:  # the app's role may not add a trigger
        cursor.execute(SLOW_LINES)
    yield
    with as_owner(), connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER test_slow_lines ON sales_orderline; DROP FUNCTION test_slow_lines();")


@pytest.mark.django_db(transaction=True)
def test_a_statement_past_its_time_stops_the_load_whole_with_a_clear_message(
    generic, slow_line_inserts, settings
):
    settings.IMPORT_STATEMENT_TIMEOUT_SECONDS = 1

    with pytest.raises(CommandError, match=r"longer than IMPORT_STATEMENT_TIMEOUT_SECONDS \(1 s\).*nothing"):
        call_command("import_sales", str(generic), "--source", "pos")

    assert not Order.objects.exists()
    assert not Product.objects.filter(sku="p1").exists()
