"""Backfills from CSV: both formats, rejected rows with reasons, safe re-runs, identity by channel id."""

import csv
import gzip

import pytest
from django.core.management import CommandError, call_command

from audit.models import AuditEvent
from catalog.models import Category, Product
from consent.selectors import consenting
from customers.models import Customer, CustomerIdentifier, Source, StoreRelationship
from identity.models import DuplicateCandidate
from integrations.imports import import_sales
from sales.models import Order, OrderLine
from tests.factories import CustomerFactory, ProductFactory

pytestmark = pytest.mark.django_db

GENERIC = """customer_id,order_id,product_id,ordered_at,quantity,store_id,category
c1,o1,p1,2026-03-01T10:00:00+00:00,2,london,tops
c1,o1,p2,2026-03-01T10:00:00+00:00,1,london,tops
c2,o2,p1,2026-03-02 11:00,1,,knitwear
,o3,p3,2026-03-03,1,,
c3,o4,p1,not a date,1,london,tops
c3,o5,p1,2026-03-04,-1,london,tops
c3,,p1,2026-03-04,1,london,tops
c4,o6,p1,2026-03-05,1,nowhere,tops
=cmd(),o7,p9,2026-03-05,0,,
"""

ONLINE_RETAIL = """InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country
536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26,2.55,17850,United Kingdom
536365,71053,WHITE METAL LANTERN,6,2010-12-01 08:26,3.39,17850,United Kingdom
536366,22633,HAND WARMER UNION JACK,6,2010-12-01 08:28,1.85,,United Kingdom
C536379,D,Discount,-1,2010-12-01 09:41,27.50,14527,United Kingdom
536367,84879,ASSORTED COLOUR BIRD ORNAMENT,32,2010-12-01 08:34,1.69,13047.0,United Kingdom
"""
# A description with a backslash, a tab and quotes (CSV-quoted), which COPY must not misread.
TRICKY = '536367,22960,"JAM SET\\N\tWITH ""JARS""",1,2010-12-01 08:34,4.25,13047.0,United Kingdom\n'


@pytest.fixture
def generic(tmp_path, store):
    path = tmp_path / "sales.csv"
    path.write_text(GENERIC)
    return path


def test_a_generic_file_is_imported_with_its_bad_rows_set_aside_and_why(generic, capsys):
    call_command("import_sales", str(generic), "--source", "pos")

    out = capsys.readouterr().out
    assert "3 orders with 4 lines imported, 2 customers and 3 products created" in out
    assert "5 rows rejected" in out
    assert Order.objects.count() == 3
    o1 = Order.objects.get(external_id="o1")
    assert o1.channel == "store"
    assert o1.store.code == "london"
    assert list(o1.lines.order_by("line_number").values_list("product__sku", "quantity")) == [
        ("p1", 2),
        ("p2", 1),
    ]
    assert Order.objects.get(external_id="o2").channel == "web"
    assert Order.objects.get(external_id="o3").customer is None  # a guest
    # A product is in the category of its first row: p1 is in tops, and nothing is in knitwear.
    assert Category.objects.filter(code__in=["tops", "knitwear", "imported"]).count() == 2
    assert Product.objects.get(sku="p1").category.code == "tops"
    assert Product.objects.get(sku="p3").category.code == "imported"
    # Nobody said whether they are bought again: the suggestions learn it from the sales.
    assert set(Product.objects.values_list("replenishable", flat=True)) == {None}
    with (generic.parent / "sales.csv.rejects.csv").open() as handle:
        rejects = list(csv.reader(handle))
    reasons = {row[0]: row[1] for row in rejects[1:]}
    assert set(reasons) == {"6", "7", "8", "9", "10"}
    assert reasons["6"] == "'not a date' is not a date and time (e.g. 2026-03-01 10:00)"
    assert reasons["7"] == "quantity must be positive"
    assert reasons["8"] == "order_id and product_id are required"
    assert reasons["9"] == "unknown store 'nowhere'"
    assert reasons["10"] == "quantity must be positive"
    assert all(not cell.startswith("=") for row in rejects for cell in row)  # formula-safe


def test_customers_from_a_file_are_kept_for_records_but_invisible_until_they_consent(generic):
    call_command("import_sales", str(generic), "--source", "pos", verbosity=0)

    c1 = CustomerIdentifier.objects.get(kind="external", namespace="pos", value="c1").customer
    assert c1.source == Source.SALES
    assert c1.orders.count() == 1
    assert not consenting(Customer.objects.all(), "profile").exists()
    assert AuditEvent.objects.filter(action="customer.created_from_sales").count() == 2
    assert AuditEvent.objects.get(action="sales.imported").detail == {"orders": 3, "lines": 4, "customers": 2}


def test_running_the_same_file_again_adds_nothing(generic, capsys):
    call_command("import_sales", str(generic), "--source", "pos")
    before = (
        Order.objects.count(),
        OrderLine.objects.count(),
        Customer.objects.count(),
        Product.objects.count(),
    )

    call_command("import_sales", str(generic), "--source", "pos")

    assert "3 orders were already here" in capsys.readouterr().out
    assert (
        Order.objects.count(),
        OrderLine.objects.count(),
        Customer.objects.count(),
        Product.objects.count(),
    ) == before


def test_a_customer_already_known_by_her_channel_id_gets_the_orders(generic):
    known = CustomerFactory()
    CustomerIdentifier.objects.create(customer=known, kind="external", namespace="pos", value="c1")

    call_command("import_sales", str(generic), "--source", "pos", verbosity=0)

    assert Order.objects.get(external_id="o1").customer == known


def test_the_online_retail_export_gzipped(tmp_path, capsys):
    path = tmp_path / "online_retail.csv.gz"
    with gzip.open(path, "wt") as handle:
        handle.write(ONLINE_RETAIL + TRICKY)

    call_command("import_sales", str(path), "--source", "online-retail")

    assert "3 orders with 5 lines imported, 2 customers and 5 products created" in capsys.readouterr().out
    assert Product.objects.get(sku="22960").name == 'JAM SET\\N WITH "JARS"'  # a backslash, a tab, quotes
    order = Order.objects.get(external_id="536365")
    assert order.channel == "web"
    assert str(order.total_amount) == "35.64"  # 6 × 2.55 + 6 × 3.39
    assert Product.objects.get(sku="71053").name == "WHITE METAL LANTERN"
    assert CustomerIdentifier.objects.filter(namespace="online-retail", value="13047").exists()  # "13047.0"
    assert Order.objects.get(external_id="536366").customer is None


def test_a_file_of_another_shape_is_refused_with_the_columns_expected(tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("a,b,c\n1,2,3\n")

    with pytest.raises(CommandError, match="Unknown columns"):
        call_command("import_sales", str(path), verbosity=0)
    assert not Order.objects.exists()


HEAD = "customer_id,order_id,product_id,ordered_at,quantity,store_id,category\n"
GOOD = "c1,o1,p1,2026-03-01T10:00:00+00:00,2,,tops\n"


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        (f"c2,{'X' * 65},p1,2026-03-01,1,,tops\n", "order id longer than 64 characters"),
        (f"c2,o2,{'P' * 65},2026-03-01,1,,tops\n", "product id longer than 64 characters"),
        ("c2,o2,p1,2026-03-01,99999999999,,tops\n", "quantity above 100,000"),
        (f"{'C' * 300},o2,p1,2026-03-01,1,,tops\n", "customer id longer than 128 characters"),
        ("c2,o2\x00,p1,2026-03-01,1,,tops\n", "a NUL character"),
    ],
)
def test_a_row_the_tables_cannot_hold_is_rejected_and_the_rest_imported(tmp_path, bad, reason):
    path = tmp_path / "sales.csv"
    path.write_text(HEAD + GOOD + bad)

    summary = import_sales(path)

    assert Order.objects.filter(external_id="o1").exists()
    assert summary.rejected == 1
    assert summary.reasons == {reason: 1}


def test_a_generic_orders_total_is_the_sum_of_its_lines_at_catalogue_prices(tmp_path):
    ProductFactory(sku="p1", price="49.00")
    path = tmp_path / "sales.csv"
    path.write_text(HEAD + GOOD)

    import_sales(path)

    order = Order.objects.get()
    assert str(order.total_amount) == "98.00"
    assert [str(line.amount) for line in order.lines.all()] == ["98.00"]


def test_cells_lose_the_blanks_around_them_and_nothing_else(tmp_path, store):
    """A v at either end of a cell is kept: PostgreSQL reads E'\\v' as a plain v, not a vertical tab."""
    path = tmp_path / "sales.csv"
    path.write_text(HEAD + "dave , vo1,\tv2v\x0b,2026-03-01,1, london ,vitamins\n")

    import_sales(path, source="pos")

    line = OrderLine.objects.get()
    assert (line.order.external_id, line.product.sku, line.product.category.code) == (
        "vo1",
        "v2v",
        "vitamins",
    )
    assert CustomerIdentifier.objects.filter(namespace="pos", value="dave").exists()


def test_the_uci_date_form_is_read_too(tmp_path):
    path = tmp_path / "retail.csv"
    path.write_text(
        ONLINE_RETAIL.splitlines()[0] + "\n536365,85123A,HEART,6,12/1/2010 8:26,2.55,17850,United Kingdom\n"
    )

    summary = import_sales(path)

    assert summary.rejected == 0
    assert Order.objects.get().placed_at.isoformat() == "2010-12-01T08:26:00+00:00"


def test_what_postgresql_cannot_read_as_csv_is_set_aside_row_by_row(tmp_path):
    """A row of another width or with bytes that are not UTF-8 makes the file go through Python's
    reader: those rows are rejected with their line, the others imported."""
    path = tmp_path / "sales.csv"
    path.write_bytes(
        (HEAD + GOOD + "c2,o2,p1,2026-03-01,1,,tops,one too many\n").encode()
        + b"c3,o3,caf\xe9,2026-03-01,1,,tops\n"
        + b"c4,o4,p1,2026-03-01,1,,tops\n\n"
    )
    rejects = tmp_path / "rejects.csv"

    summary = import_sales(path, rejects=rejects)

    assert sorted(Order.objects.values_list("external_id", flat=True)) == ["o1", "o4"]
    assert summary.reasons == {"8 cells where the header has 7": 1, "not UTF-8 text": 1}
    assert [row[:2] for row in csv.reader(rejects.open())][1:] == [
        ["3", "8 cells where the header has 7"],
        ["4", "not UTF-8 text"],
    ]


def test_a_line_that_would_end_copys_input_early_loses_no_row(tmp_path):
    path = tmp_path / "sales.csv"
    path.write_text(HEAD + GOOD + "\\.\n" + "c4,o4,p1,2026-03-01,1,,tops\n")

    summary = import_sales(path)

    assert sorted(Order.objects.values_list("external_id", flat=True)) == ["o1", "o4"]
    assert summary.reasons == {"1 cells where the header has 7": 1}


@pytest.mark.parametrize(
    ("cells", "reason"),
    [
        ("536365,85123A,HEART,six,2010-12-01 08:26,2.55", "quantity 'six' is not a whole number"),
        ("536365,85123A,HEART,6,2010-12-01 08:26,£2.55", "price '£2.55' is not a number"),
        ("536365,85123A,HEART,6,2010-12-01 08:26,-2.55", "negative price"),
        ("536365,85123A,HEART,6,2010-12-01 08:26,99999999.999", "price too large"),
        ("536365,85123A,HEART,60000,2010-12-01 08:26,200000", "price too large"),  # a line of 12 billion
        ("536365,,HEART,6,2010-12-01 08:26,2.55", "InvoiceNo and StockCode are required"),
        (
            "C536365,85123A,HEART,6,2010-12-01 08:26,2.55",
            "cancellation (returns are not imported from this file)",
        ),
        (
            "536365,85123A,HEART,6,2010-02-30 08:26,2.55",
            "'2010-02-30 08:26' is not a date and time (e.g. 2026-03-01 10:00)",
        ),
    ],
)
def test_each_online_retail_cell_that_cannot_be_read_rejects_its_row_with_why(tmp_path, cells, reason):
    path = tmp_path / "retail.csv"
    good = "536370,22728,ALARM CLOCK,24,2010-12-01 08:45, 3.75 ,12583.0,France"
    path.write_text(ONLINE_RETAIL.splitlines()[0] + f"\n{cells},17850,United Kingdom\n{good}\n")

    summary = import_sales(path)

    assert summary.reasons == {reason: 1}
    line = OrderLine.objects.get()
    assert (line.order.external_id, line.quantity, str(line.unit_price)) == ("536370", 24, "3.75")


def test_a_customer_who_bought_in_a_store_gets_her_standing_there(generic):
    import_sales(generic, source="pos")

    relationship = StoreRelationship.objects.get(
        customer__identifiers__value="c1", customer__identifiers__namespace="pos"
    )
    assert relationship.store.code == "london"
    assert relationship.orders_count == 1
    assert relationship.lifetime_spend == Order.objects.get(external_id="o1").total_amount
    # c2 bought online only: no store to stand in.
    assert not StoreRelationship.objects.filter(customer__identifiers__value="c2").exists()


PRODUCTS_FILE = """product_id,name,category,price,description
p1,Linen blazer,Jackets,149.00,Unlined
p2,Silk scarf,,39.5,
p3,Mystery,,£12,
p2,Silk scarf (navy),,,
,No id,,,
"""


def test_a_products_file_creates_and_updates_products_and_its_bad_rows_are_set_aside(tmp_path, capsys):
    ProductFactory(sku="p1", name="Old name", price="120.00")
    path = tmp_path / "products.csv"
    path.write_text(PRODUCTS_FILE)

    call_command("import_sales", str(path))
    again = import_sales(path)

    out = capsys.readouterr().out
    assert "5 rows of products: 1 created, 1 updated, 0 unchanged; 2 rows rejected" in out
    blazer = Product.objects.get(sku="p1")
    assert (blazer.name, str(blazer.price), blazer.category.code, blazer.description) == (
        "Linen blazer",
        "149.00",
        "jackets",
        "Unlined",
    )
    scarf = Product.objects.get(sku="p2")  # its last row counts; an empty cell changes nothing
    assert (scarf.name, str(scarf.price), scarf.category.code) == ("Silk scarf (navy)", "0.00", "imported")
    assert again.records == {"created": 0, "updated": 0, "unchanged": 2}
    assert again.reasons == {"price '£12' is not a number": 1, "product_id and name are required": 1}


def test_a_products_file_may_give_pictures_and_a_bad_one_sets_its_row_aside(tmp_path, settings):
    settings.PRODUCT_IMAGE_ORIGINS = ["https://cdn.shop.example"]
    ProductFactory(sku="p1", name="Linen blazer", image_url="https://cdn.shop.example/p1-old.jpg")
    path = tmp_path / "products.csv"
    path.write_text(
        "product_id,name,image_url\n"
        "p1,Linen blazer,https://cdn.shop.example/p1.jpg\n"
        "p2,Silk scarf,\n"
        "p3,Wool coat,https://elsewhere.example/p3.jpg\n"
        "p4,Tote,/product-images/p4.svg\n"
    )

    summary = import_sales(path)

    assert summary.records == {"created": 2, "updated": 1, "unchanged": 0}
    assert summary.reasons == {
        "image_url must be on one of PRODUCT_IMAGE_ORIGINS (https://cdn.shop.example), "
        "not https://elsewhere.example": 1
    }
    pictures = dict(Product.objects.values_list("sku", "image_url"))
    assert pictures == {"p1": "https://cdn.shop.example/p1.jpg", "p2": "", "p4": "/product-images/p4.svg"}


CUSTOMERS_FILE = """customer_id,given_name,family_name,email,phone,loyalty,home_store
C1,Zoë,Okafor, Zoe@Example.com ,07911 123456,,london
C2,Ann,Lee,ann@example.com,,LOY-1234,
C3,Bad,Mail,not-an-email,,,
C4,Nowhere,Store,,,,atlantis
C5,Sam,Twin,,07911 123456,,london
"""


def test_a_customers_file_creates_profiles_with_normalised_identifiers_and_queues_shared_ones(
    tmp_path, store
):
    known = CustomerFactory(given_name="Ann", family_name="L.")
    CustomerIdentifier.objects.create(customer=known, kind="email", value="ann@example.com")
    path = tmp_path / "customers.csv"
    path.write_text(CUSTOMERS_FILE)

    summary = import_sales(path, source="crm")

    assert summary.records == {"created": 2, "updated": 1, "pairs_queued": 1}
    assert summary.reasons == {"email: This is not a valid e-mail address.": 1, "unknown store 'atlantis'": 1}
    zoe = Customer.objects.get(identifiers__namespace="crm", identifiers__value="C1")
    assert (zoe.source, zoe.home_store, zoe.country) == ("import", store, "GB")
    assert set(zoe.identifiers.values_list("kind", "value")) == {
        ("external", "C1"),
        ("email", "zoe@example.com"),
        ("phone", "+447911123456"),  # read in her home store's country
    }
    assert not consenting(Customer.objects.all(), "profile").exists()  # invisible to staff until she consents
    known.refresh_from_db()  # found by her e-mail: the file's id and loyalty number are added to her
    assert known.family_name == "Lee"
    assert set(known.identifiers.values_list("kind", "value")) == {
        ("email", "ann@example.com"),
        ("external", "C2"),
        ("loyalty", "LOY1234"),
    }
    # Sam gives Zoë's phone: it stays hers, and the two are queued for a manager, never merged.
    sam = Customer.objects.get(identifiers__value="C5")
    assert not sam.identifiers.filter(kind="phone").exists()
    pair = DuplicateCandidate.objects.get()
    assert {pair.first_id, pair.second_id} == {zoe.pk, sam.pk}
    assert pair.evidence["signals"] == ["shared_phone"]
    events = AuditEvent.objects.filter(action="customer.created_from_import")
    assert events.count() == 2
    assert "zoe" not in str(list(AuditEvent.objects.values_list("detail", flat=True))).lower()

    again = import_sales(path, source="crm")

    assert again.records == {"created": 0, "updated": 0, "pairs_queued": 0}
    assert Customer.objects.count() == 3
