"""A multi-store sales file: the stores it names that are not here are listed with how to add them,
or made by the import itself (--create-stores)."""

import csv

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent
from customers.models import Customer
from integrations.imports import import_sales
from sales.models import Order
from stores.models import Store
from stores.services import StoreDefaults, create_stores

pytestmark = pytest.mark.django_db

HEAD = "customer_id,order_id,product_id,ordered_at,quantity,store_id\n"
PARIS = StoreDefaults(country="FR", currency="EUR", timezone="Europe/Paris")


def sales_file(tmp_path, stores, *, name="sales.csv"):
    """One order in each of ``stores`` (codes), then one in London's."""
    path = tmp_path / name
    rows = [f"c{n},o{n},p1,2026-03-01 10:00,1,{code}\n" for n, code in enumerate(stores)]
    path.write_text(HEAD + "".join(rows) + "c0,o-london,p1,2026-03-01 10:00,1,london\n")
    return path


def test_rows_of_stores_not_here_are_rejected_and_the_command_says_which_and_how_to_add_them(
    tmp_path, store, capsys
):
    codes = [f"s{n:02d}" for n in range(25)]
    path = sales_file(tmp_path, [*codes, "s03"])

    call_command("import_sales", str(path), "--source", "pos")

    out = capsys.readouterr().out
    assert Order.objects.get().external_id == "o-london"  # the rest is imported
    assert "26 × unknown store (25 stores, listed below)" in out
    assert (
        "25 stores the file names are not here, and their rows were rejected: "
        + ", ".join(codes[:20])
        + " (the first 20 of 25).\n"
    ) in out
    assert (
        f"manage.py import_sales {path} --source pos --create-stores "
        "--country GB --currency GBP --timezone Europe/London\n"
    ) in out
    assert "import a stores file first, with the header store_id,name,country,timezone,currency[,city," in out
    assert "in the admin: /admin/stores/store/add/" in out
    with (tmp_path / "sales.csv.rejects.csv").open() as handle:
        assert [row[1] for row in csv.reader(handle)][1:4] == [
            "unknown store 's00'",
            "unknown store 's01'",
            "unknown store 's02'",
        ]


def test_a_file_whose_stores_are_all_here_says_nothing_of_stores(tmp_path, store, capsys):
    call_command("import_sales", str(sales_file(tmp_path, [])))

    out = capsys.readouterr().out
    assert "1 orders with 1 lines imported" in out
    assert "not here" not in out
    assert "stores created" not in out


def test_create_stores_makes_the_stores_in_the_country_given_and_imports_their_rows(tmp_path, store, capsys):
    path = sales_file(tmp_path, ["paris-1", "lyon", "paris-1"])

    call_command(
        "import_sales", str(path), "--create-stores", "--country", "fr", "--currency", "EUR",
        "--timezone", "Europe/Paris",
    )  # fmt: skip

    out = capsys.readouterr().out
    assert "2 stores created (FR, EUR, Europe/Paris)." in out
    assert "0 rows rejected" in out
    lyon = Store.objects.get(code="lyon")
    assert (lyon.name, lyon.country, lyon.currency, lyon.timezone, lyon.locale) == (
        "Store lyon",
        "FR",
        "EUR",
        "Europe/Paris",
        "fr-fr",
    )
    assert Order.objects.get(external_id="o1").store == lyon
    assert Order.objects.count() == 4
    events = AuditEvent.objects.filter(action="store.created").order_by("pk")
    assert [(e.store.code, e.detail, e.actor_kind) for e in events] == [
        ("paris-1", {"code": "paris-1"}, "import:import"),
        ("lyon", {"code": "lyon"}, "import:import"),
    ]


def test_running_the_same_file_again_with_create_stores_adds_nothing(tmp_path, store, capsys):
    path = sales_file(tmp_path, ["lyon", "nice"])
    call_command("import_sales", str(path), "--create-stores")
    made = AuditEvent.objects.filter(action="store.created")
    before = Store.objects.count(), Order.objects.count(), made.count()
    capsys.readouterr()

    call_command("import_sales", str(path), "--create-stores")

    out = capsys.readouterr().out
    assert "3 orders were already here; 0 rows rejected" in out
    assert "stores created" not in out
    assert (Store.objects.count(), Order.objects.count(), made.count()) == before == (3, 3, 2)


def test_new_stores_are_where_the_settings_say_unless_the_command_says_otherwise(tmp_path, settings):
    settings.IMPORT_STORE_COUNTRY = "IE"
    settings.IMPORT_STORE_CURRENCY = "EUR"
    settings.IMPORT_STORE_TIMEZONE = "Europe/Dublin"

    call_command("import_sales", str(sales_file(tmp_path, ["cork"])), "--create-stores", verbosity=0)

    cork = Store.objects.get(code="cork")
    assert (cork.country, cork.currency, cork.timezone) == ("IE", "EUR", "Europe/Dublin")
    assert cork.locale == "en-ie"
    assert Store.objects.get(code="london").name == "Store london"  # not here before: made too


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (["--country", "France"], "country 'FRANCE' is not an ISO 3166 country code such as GB"),
        (["--currency", "euro"], "currency 'EURO' is not an ISO 4217 currency code such as GBP"),
        (["--timezone", "Paris"], "timezone 'Paris' is not an IANA time zone such as Europe/London"),
    ],
)
def test_a_bad_country_currency_or_time_zone_stops_the_command_before_anything_is_read(
    tmp_path, option, message
):
    with pytest.raises(CommandError, match=message):
        call_command("import_sales", str(sales_file(tmp_path, ["lyon"])), "--create-stores", *option)

    assert not Store.objects.exists()
    assert not Order.objects.exists()


def test_a_country_without_create_stores_is_refused_rather_than_ignored(tmp_path):
    with pytest.raises(CommandError, match="are for the stores --create-stores makes"):
        call_command("import_sales", str(sales_file(tmp_path, ["lyon"])), "--country", "FR")


def test_a_store_id_that_cannot_be_a_code_is_rejected_with_why_and_no_store_is_made(tmp_path, store):
    path = tmp_path / "sales.csv"
    path.write_text(HEAD + "c1,o1,p1,2026-03-01,1,Store 12\nc1,o2,p1,2026-03-01,1,london\n")

    summary = import_sales(path, create_stores=PARIS)

    assert summary.reasons == {"store id 'Store 12' is not a store code (letters, digits, - and _)": 1}
    assert summary.stores_created == []
    assert summary.missing_stores == []
    assert list(Store.objects.values_list("code", flat=True)) == ["london"]


def test_a_customers_files_home_stores_are_listed_or_made_too(tmp_path, capsys):
    path = tmp_path / "customers.csv"
    path.write_text("customer_id,given_name,home_store\nC1,Ann,cork\nC2,Bea,cork\nC3,Cy,\n")

    call_command("import_sales", str(path), "--source", "crm")

    assert "1 stores the file names are not here, and their rows were rejected: cork.\n" in (
        capsys.readouterr().out
    )
    assert Customer.objects.count() == 1

    call_command("import_sales", str(path), "--source", "crm", "--create-stores")

    assert Customer.objects.filter(home_store__code="cork").count() == 2


def test_making_three_hundred_stores_costs_as_many_statements_as_making_three(django_assert_num_queries):
    with CaptureQueriesContext(connection) as three:
        create_stores(codes=["a", "b", "c"], defaults=PARIS)

    with django_assert_num_queries(len(three)):
        made = create_stores(codes=[f"s{n}" for n in range(300)], defaults=PARIS)

    assert len(made) == 300
    assert AuditEvent.objects.filter(action="store.created").count() == 303


def test_an_import_making_three_hundred_stores_costs_as_many_statements_as_one_making_three(tmp_path):
    small = sales_file(tmp_path, [f"a{n}" for n in range(3)], name="small.csv")
    large = sales_file(tmp_path, [f"b{n}" for n in range(300)], name="large.csv")
    Store.objects.create(code="london", name="London", country="GB", currency="GBP", timezone="UTC")

    with CaptureQueriesContext(connection) as few:
        import_sales(small, create_stores=PARIS)
    with CaptureQueriesContext(connection) as many:
        summary = import_sales(large, create_stores=PARIS)

    assert len(summary.stores_created) == 300
    assert len(many) == len(few)


def test_creating_stores_refuses_what_cannot_be_a_store_code():
    with pytest.raises(ValueError, match="Not store codes"):
        create_stores(codes=["ok", "not ok"], defaults=PARIS)

    assert not Store.objects.exists()
