import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from common import prepared

pytestmark = pytest.mark.django_db

STATEMENT = "SELECT %(n)s::int + 1 AS answer, 'card statement' AS tag"


def _prepared_here() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", ["%card statement%"]
        )
        return int(cursor.fetchone()[0])


def test_a_statement_is_prepared_on_its_connection_after_a_few_runs_and_reused():
    for n in range(prepared.PREPARE_AFTER):
        assert prepared.fetch_one(STATEMENT, {"n": n}) == (n + 1, "card statement")
    assert _prepared_here() == 0

    for n in range(5):
        assert prepared.fetch_all(STATEMENT, {"n": n}) == [(n + 1, "card statement")]

    assert _prepared_here() == 1  # once, however often it runs


def test_its_runs_are_counted_like_any_query():
    with CaptureQueriesContext(connection) as queries:
        prepared.fetch_one(STATEMENT, {"n": 1})

    assert len(queries) == 1
    assert "card statement" in queries[0]["sql"]


def test_a_statement_with_no_row_says_so():
    with pytest.raises(LookupError):
        prepared.fetch_one("SELECT 1 WHERE %(n)s::int = 0", {"n": 1})
