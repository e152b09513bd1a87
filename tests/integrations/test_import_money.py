"""Money in a sales file: each order in its store's currency (online: IMPORT_ONLINE_CURRENCY; the
Online Retail export: GBP), and prices from a unit_price column, else the catalogue's."""

import pytest
from django.core.management import call_command

from catalog.models import Product
from customers.models import StoreRelationship
from integrations.imports import import_sales
from sales.models import Order, OrderLine
from tests.factories import ProductFactory
from tests.integrations.test_imports import ONLINE_RETAIL

pytestmark = pytest.mark.django_db

HEAD = "customer_id,order_id,product_id,ordered_at,quantity,store_id,unit_price\n"
PRICED = (
    HEAD + "c1,o1,p1,2026-03-01 10:00,2,london,12.50\n"
    "c1,o1,p2,2026-03-01 10:00,1,london,3\n"
    "c2,o2,p1,2026-03-02 10:00,3,paris,11.00\n"
    "c3,o3,p2,2026-03-03 10:00,1,,2.99\n"
)


@pytest.fixture
def priced(tmp_path, store, other_store):
    path = tmp_path / "sales.csv"
    path.write_text(PRICED)
    return path


def currencies():
    return dict(Order.objects.values_list("external_id", "currency"))


def test_each_order_is_in_its_stores_currency_and_online_ones_in_the_online_currency(priced):
    import_sales(priced)

    assert currencies() == {"o1": "GBP", "o2": "EUR", "o3": "GBP"}


def test_online_orders_are_in_the_currency_the_setting_names(priced, settings):
    settings.IMPORT_ONLINE_CURRENCY = "EUR"

    import_sales(priced)

    assert currencies() == {"o1": "GBP", "o2": "EUR", "o3": "EUR"}


def test_the_online_retail_export_is_in_pounds_whatever_the_online_currency(tmp_path, settings):
    settings.IMPORT_ONLINE_CURRENCY = "EUR"
    path = tmp_path / "retail.csv"
    path.write_text(ONLINE_RETAIL)

    import_sales(path)

    assert set(Order.objects.values_list("currency", flat=True)) == {"GBP"}
    assert set(Product.objects.values_list("currency", flat=True)) == {"GBP"}


def test_lines_and_totals_come_from_the_unit_price_column(priced):
    import_sales(priced)

    o1 = Order.objects.get(external_id="o1")
    assert str(o1.total_amount) == "28.00"  # 2 × 12.50 + 3
    lines = [(line.product.sku, str(line.unit_price), str(line.amount)) for line in o1.lines.all()]
    assert sorted(lines) == [("p1", "12.50", "25.00"), ("p2", "3.00", "3.00")]
    assert str(Order.objects.get(external_id="o2").total_amount) == "33.00"
    # A new product takes the price (and the currency) of the first row that names it.
    p1 = Product.objects.get(sku="p1")
    assert (str(p1.price), p1.currency) == ("12.50", "GBP")


def test_a_store_customers_standing_is_counted_in_its_stores_currency(priced, other_store):
    import_sales(priced)

    paris = StoreRelationship.objects.get(store=other_store)
    assert str(paris.lifetime_spend) == "33.00"


def test_a_price_column_is_read_as_the_unit_price(tmp_path, store):
    path = tmp_path / "sales.csv"
    path.write_text("customer_id,order_id,product_id,ordered_at,quantity,price\nc1,o1,p1,2026-03-01,4,2.25\n")

    import_sales(path)

    assert str(Order.objects.get().total_amount) == "9.00"


@pytest.mark.parametrize(
    ("price", "reason"),
    [
        ("£12", "price '£12' is not a number"),
        ("-1", "negative price"),
        ("123456789", "price too large"),
    ],
)
def test_a_unit_price_that_cannot_be_read_rejects_its_row_and_the_rest_is_kept(
    tmp_path, store, price, reason
):
    path = tmp_path / "sales.csv"
    path.write_text(HEAD + f"c1,o1,p1,2026-03-01,1,london,{price}\nc1,o2,p1,2026-03-01,1,london,5\n")

    summary = import_sales(path)

    assert summary.reasons == {reason: 1}
    assert str(Order.objects.get().total_amount) == "5.00"


def test_without_a_unit_price_a_line_takes_the_catalogue_price_and_else_zero_and_is_counted(
    tmp_path, store, capsys
):
    ProductFactory(sku="known", price="20.00")
    ProductFactory(sku="free", price="0.00")
    path = tmp_path / "sales.csv"
    path.write_text(
        HEAD + "c1,o1,known,2026-03-01,2,london,\n"  # an empty cell: the catalogue's
        "c1,o1,free,2026-03-01,1,london,\n"
        "c1,o1,new,2026-03-01,1,london,\n"
        "c1,o2,new,2026-03-01,1,london,0\n"  # a price of 0 the file gives is a price
    )

    call_command("import_sales", str(path))

    assert (
        "2 lines had no price (no unit_price in the file, none in the catalogue)" in capsys.readouterr().out
    )
    amounts = dict(OrderLine.objects.filter(order__external_id="o1").values_list("product__sku", "amount"))
    assert {sku: str(amount) for sku, amount in amounts.items()} == {
        "known": "40.00",
        "free": "0.00",
        "new": "0.00",
    }
    assert str(Order.objects.get(external_id="o1").total_amount) == "40.00"


def test_a_file_with_every_price_says_nothing_of_prices(priced, capsys):
    call_command("import_sales", str(priced))

    assert "had no price" not in capsys.readouterr().out


def test_running_a_priced_file_again_adds_nothing_and_counts_no_unpriced_line(priced):
    import_sales(priced)
    totals = dict(Order.objects.values_list("external_id", "total_amount"))

    again = import_sales(priced)

    assert (again.orders_created, again.lines_created, again.lines_without_price) == (0, 0, 0)
    assert dict(Order.objects.values_list("external_id", "total_amount")) == totals
