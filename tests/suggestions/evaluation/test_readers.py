"""Both CSV formats, small files written for each test."""

import gzip
from pathlib import Path

import numpy as np
import pytest

from suggestions.evaluation.readers import (
    MalformedInput,
    detect_format,
    mark_sensitive,
    read_interactions,
    read_sensitive_categories,
)

GENERIC = """customer_id,order_id,product_id,ordered_at,quantity,store_id,category
c1,o1,p1,2026-05-01,2,s1,shoes
c1,o1,p2,2026-05-01,1,s1,bags
c2,o2,p1,2026-05-02T10:00:00+02:00,,s2,shoes
"""

ONLINE_RETAIL = """InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country
536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26,2.55,17850,United Kingdom
536365,71053,WHITE METAL LANTERN,6,2010-12-01 08:26,3.39,17850.0,United Kingdom
C536379,D,Discount,-1,2010-12-01 09:41,27.5,14527,United Kingdom
536414,22139,amazon,56,2010-12-01 11:52,0,,United Kingdom
536370,22728,ALARM CLOCK BAKELIKE PINK,24,2010-12-01 08:45,3.75,12583,France
536371,22728,ALARM CLOCK BAKELIKE PINK,0,2010-12-01 08:46,3.75,12583,France
"""


def write(tmp_path: Path, text: str, name: str = "history.csv") -> Path:
    path = tmp_path / name
    if name.endswith(".gz"):
        with gzip.open(path, "wt", encoding="utf-8") as handle:
            handle.write(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_generic_rows_become_dense_indices_with_days_and_quantities(tmp_path: Path) -> None:
    dataset = read_interactions(write(tmp_path, GENERIC), "generic")

    interactions = dataset.interactions
    assert dataset.customer_ids.tolist() == ["c1", "c2"]
    assert dataset.product_ids.tolist() == ["p1", "p2"]
    assert interactions.customer.tolist() == [0, 0, 1]
    assert interactions.item.tolist() == [0, 1, 0]
    assert interactions.quantity.tolist() == [2.0, 1.0, 1.0]  # an empty quantity is 1
    assert interactions.basket[0] == interactions.basket[1] != interactions.basket[2]
    may_first = 20574.0  # 2026-05-01 in days since 1970-01-01
    assert interactions.day[0] == may_first
    assert interactions.day[2] == pytest.approx(may_first + 1 + 8 / 24)  # 10:00+02:00 is 08:00 UTC
    assert [dataset.category_names[c] for c in dataset.catalogue.category] == ["shoes", "bags"]
    assert dataset.rows_read == 3
    assert dataset.rows_skipped == 0


def test_the_generic_format_needs_only_the_four_required_columns_in_any_order(tmp_path: Path) -> None:
    path = write(tmp_path, "ordered_at,product_id,customer_id,order_id\n2026-05-01,p1,c1,o1\n")

    dataset = read_interactions(path, "auto")

    assert dataset.interactions.quantity.tolist() == [1.0]
    assert dataset.category_names == ("(none)",)


def test_an_order_id_is_only_unique_within_its_customer(tmp_path: Path) -> None:
    path = write(
        tmp_path, "customer_id,order_id,product_id,ordered_at\nc1,1,p1,2026-05-01\nc2,1,p1,2026-05-01\n"
    )
    basket = read_interactions(path).interactions.basket
    assert basket[0] != basket[1]


def test_malformed_rows_are_skipped_counted_and_shown(tmp_path: Path) -> None:
    text = (
        GENERIC
        + "c3,o3,p3,yesterday,1,s1,shoes\nc3,o4,p3,2026-05-03,-2,s1,shoes\nc3,o5\n,o6,p1,2026-05-03,1,s1,x\n"
    )

    dataset = read_interactions(write(tmp_path, text), "generic")

    assert dataset.rows_read == 3
    assert dataset.rows_skipped == 4
    assert dataset.skipped_examples[0] == "line 5: ordered_at 'yesterday' is not an ISO 8601 date"
    assert dataset.skipped_examples[1] == "line 6: quantity '-2' is not positive"
    assert dataset.skipped_examples[2] == "line 7: 2 fields where the header has 7"


def test_strict_reading_stops_at_the_first_malformed_row_naming_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, GENERIC + "c3,o3,p3,yesterday,1,s1,shoes\n")
    with pytest.raises(MalformedInput, match=r"history.csv, line 5: ordered_at 'yesterday'"):
        read_interactions(path, "generic", strict=True)


def test_a_missing_column_is_named(tmp_path: Path) -> None:
    path = write(tmp_path, "customer_id,product_id,ordered_at\nc1,p1,2026-05-01\n")
    with pytest.raises(MalformedInput, match=r"line 1: missing column\(s\) order_id"):
        read_interactions(path, "generic")


def test_a_file_without_a_usable_row_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "customer_id,order_id,product_id,ordered_at\nc1,o1,p1,never\n")
    with pytest.raises(MalformedInput, match=r"no usable rows \(first problem: line 2"):
        read_interactions(path)
    with pytest.raises(MalformedInput, match="the file is empty"):
        read_interactions(write(tmp_path, "", "empty.csv"))
    with pytest.raises(MalformedInput, match="no such file"):
        read_interactions(tmp_path / "absent.csv")


def test_online_retail_drops_cancellations_guests_and_empty_lines_and_derives_categories(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, ONLINE_RETAIL, "retail.csv.gz")
    assert detect_format(path) == "online_retail"

    dataset = read_interactions(path)

    assert dataset.rows_read == 3
    assert dataset.rows_dropped == 3  # the cancellation, the guest line, the zero quantity
    assert dataset.customer_ids.tolist() == ["12583", "17850"]  # "17850.0" is 17850
    assert dataset.product_ids.tolist() == ["22728", "71053", "85123A"]
    categories = [dataset.category_names[c] for c in dataset.catalogue.category]
    assert categories == ["PINK", "LANTERN", "HOLDER"]  # the last word: cheap, not always a category
    assert dataset.interactions.day[0] == pytest.approx(14944 + (8 * 60 + 26) / 1440)


def test_online_retail_without_its_columns_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "InvoiceNo,StockCode\n1,2\n")
    with pytest.raises(MalformedInput, match="missing Online Retail column"):
        read_interactions(path)


def test_sensitive_categories_are_read_case_insensitively_and_marked(tmp_path: Path) -> None:
    listing = write(tmp_path, "# health and the like\nShoes\n\n  pharmacy  \n", "sensitive.txt")
    categories = read_sensitive_categories(listing)
    assert categories == frozenset({"shoes", "pharmacy"})

    dataset = mark_sensitive(read_interactions(write(tmp_path, GENERIC)), categories)

    np.testing.assert_array_equal(dataset.catalogue.sensitive, [True, False])
