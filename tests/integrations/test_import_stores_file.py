"""A stores file (store_id,name,country,timezone,currency[,city,address,locale]): stores created or
updated by code, bad rows set aside with why, the good ones kept."""

import csv

import pytest
from django.core.management import call_command

from audit.models import AuditEvent
from integrations.imports import import_sales
from stores.models import Store
from tests.factories import StoreFactory

pytestmark = pytest.mark.django_db

STORES_FILE = """store_id,name,country,timezone,currency,city,address,locale
london,London Marylebone,GB,Europe/London,GBP,London,"12 Marylebone High St",
paris,Paris Marais,fr,Europe/Paris,eur,Paris,,
geneva,Genève Rive,CH,Europe/Zurich,CHF,Genève,,fr_CH
dublin,Dublin,IE,Europe/Dublin,EUR,,,en-us
york,York,UK,Europe/London,GBP,,,
leeds,Leeds,GB,Europe/Leeds,GBP,,,
lille,Lille,FR,Europe/Paris,EURO,,,
lyon,Lyon,FR,Europe/Paris,EUR,,,fr-xx
Store 9,Nine,GB,Europe/London,GBP,,,
,No id,GB,Europe/London,GBP,,,
"""


@pytest.fixture
def stores_file(tmp_path):
    path = tmp_path / "stores.csv"
    path.write_text(STORES_FILE)
    return path


def test_a_stores_file_creates_and_updates_stores_and_sets_its_bad_rows_aside_with_why(stores_file, capsys):
    StoreFactory(code="dublin", name="Dublin (old)", country="IE", timezone="Europe/Dublin", currency="EUR")

    call_command("import_sales", str(stores_file))

    out = capsys.readouterr().out
    assert "10 rows of stores: 3 created, 1 updated, 0 unchanged; 6 rows rejected." in out
    paris = Store.objects.get(code="paris")
    assert (paris.name, paris.country, paris.currency, paris.timezone, paris.city, paris.locale) == (
        "Paris Marais",
        "FR",
        "EUR",
        "Europe/Paris",
        "Paris",
        "fr-fr",  # from its country
    )
    assert Store.objects.get(code="london").address == "12 Marylebone High St"
    assert Store.objects.get(code="geneva").locale == "fr-ch"
    dublin = Store.objects.get(code="dublin")
    assert (dublin.name, dublin.locale, dublin.city) == ("Dublin", "en-us", "London")  # city: as it was
    with (stores_file.parent / "stores.csv.rejects.csv").open() as handle:
        reasons = {row[0]: row[1] for row in list(csv.reader(handle))[1:]}
    assert reasons == {
        "6": "country 'UK' is not an ISO 3166 country code such as GB (the United Kingdom is GB)",
        "7": "timezone 'Europe/Leeds' is not an IANA time zone such as Europe/London",
        "8": "currency 'EURO' is not an ISO 4217 currency code such as GBP",
        "9": "locale 'fr-xx' is not one of en-gb, en-ie, en-us, fr-fr, fr-be, fr-ch, fr-ca",
        "10": "store id 'Store 9' is not a store code (letters, digits, - and _, up to 32)",
        "11": "store_id, name, country, timezone and currency are required",
    }


def test_stores_made_and_changed_by_a_file_are_audited_with_the_fields_changed(stores_file):
    dublin = StoreFactory(
        code="dublin", name="Dublin (old)", country="IE", timezone="Europe/Dublin", currency="EUR"
    )

    import_sales(stores_file, source="erp")

    created = AuditEvent.objects.filter(action="store.created")
    assert sorted(created.values_list("detail__code", flat=True)) == ["geneva", "london", "paris"]
    assert {e.actor_kind for e in created} == {"import:erp"}
    updated = AuditEvent.objects.get(action="store.updated")
    assert (updated.store_id, updated.detail) == (dublin.pk, {"code": "dublin", "fields": ["name", "locale"]})
    assert AuditEvent.objects.get(action="file.imported").detail == {
        "format": "stores",
        "created": 3,
        "updated": 1,
        "unchanged": 0,
    }


def test_running_the_same_stores_file_again_changes_nothing(stores_file):
    import_sales(stores_file)
    events = AuditEvent.objects.filter(action__startswith="store.").count()

    again = import_sales(stores_file)

    assert again.records == {"created": 0, "updated": 0, "unchanged": 4}
    assert again.rejected == 6
    assert AuditEvent.objects.filter(action__startswith="store.").count() == events


def test_the_last_row_of_a_store_counts_and_the_optional_columns_may_be_left_out(tmp_path):
    path = tmp_path / "stores.csv"
    path.write_text(
        "store_id,name,country,timezone,currency\n"
        "nyc,New York,US,America/New_York,USD\n"
        "nyc,New York SoHo,US,America/New_York,USD\n"
    )

    summary = import_sales(path)

    assert summary.records == {"created": 1, "updated": 0, "unchanged": 0}
    nyc = Store.objects.get()
    assert (nyc.name, nyc.locale, nyc.city, nyc.address) == ("New York SoHo", "en-us", "", "")


def test_a_stores_file_then_a_sales_file_naming_those_stores_is_imported_whole(tmp_path, stores_file):
    import_sales(stores_file)
    sales = tmp_path / "sales.csv"
    sales.write_text(
        "customer_id,order_id,product_id,ordered_at,quantity,store_id\n"
        "c1,o1,p1,2026-03-01,1,paris\n"
        "c1,o2,p1,2026-03-02,1,geneva\n"
    )

    summary = import_sales(sales)

    assert (summary.orders_created, summary.rejected, summary.missing_stores) == (2, 0, [])
