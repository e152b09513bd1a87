"""A products file's replenishable, replenish_after_days and sensitive columns: read in their usual
spellings, bad values set aside with why, and sensitive=true marking the product's category."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from audit.models import AuditEvent
from catalog.models import Category, Product
from catalog.services import save_category
from integrations.imports import import_sales
from suggestions.models import Suggestion
from tests.factories import CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db

HEAD = "product_id,name,category,replenishable,replenish_after_days,sensitive\n"


def products_file(tmp_path, rows, head=HEAD):
    path = tmp_path / "products.csv"
    path.write_text(head + rows)
    return path


def cycles():
    return {p.sku: (p.replenishable, p.replenish_after_days) for p in Product.objects.all()}


def test_replenishment_is_read_in_its_spellings_a_cycle_makes_it_replenishable_and_silence_is_learnt(
    tmp_path,
):
    path = products_file(
        tmp_path,
        "serum,Night serum,beauty,TRUE,45,\n"
        "cream,Day cream,beauty,yes,,\n"
        "soap,Soap,beauty,1,,\n"
        "mask,Sheet mask,beauty,,30,\n"
        "coat,Wool coat,coats,No,,\n"
        "scarf,Silk scarf,coats,0,,\n"
        "tee,Tee,tops,false,,\n"
        "hat,Hat,tops,,,\n",
    )

    summary = import_sales(path)

    assert summary.rejected == 0
    assert cycles() == {
        "serum": (True, 45),
        "cream": (True, None),
        "soap": (True, None),
        "mask": (True, 30),
        "coat": (False, None),
        "scarf": (False, None),
        "tee": (False, None),
        "hat": (None, None),  # the file says nothing: learnt from the sales
    }


def test_a_product_already_here_keeps_what_the_file_leaves_empty_and_loses_its_cycle_when_not_replenishable(
    tmp_path,
):
    ProductFactory(sku="serum", replenishable=True, replenish_after_days=60)
    ProductFactory(sku="cream", replenishable=True, replenish_after_days=90)
    ProductFactory(sku="soap", replenishable=True, replenish_after_days=30)
    path = products_file(tmp_path, "serum,Night serum,,,,\ncream,Day cream,,false,,\nsoap,Soap,,,20,\n")

    summary = import_sales(path)

    assert summary.records == {"created": 0, "updated": 3, "unchanged": 0, "categories_marked_sensitive": 0}
    assert cycles() == {"serum": (True, 60), "cream": (False, None), "soap": (True, 20)}
    assert import_sales(path).records["unchanged"] == 3


@pytest.mark.parametrize(
    ("cells", "reason"),
    [
        ("maybe,,", "replenishable 'maybe' is not true or false (yes/no, 1/0)"),
        ("true,six weeks,", "replenish_after_days 'six weeks' is not a whole number of days"),
        ("true,0,", "replenish_after_days must be from 1 to 32,767"),
        ("true,99999,", "replenish_after_days must be from 1 to 32,767"),
        ("false,30,", "replenish_after_days is for a replenishable product: replenishable is false"),
        (",,perhaps", "sensitive 'perhaps' is not true or false (yes/no, 1/0)"),
    ],
)
def test_a_value_that_cannot_be_read_sets_its_row_aside_with_why_and_the_rest_is_kept(
    tmp_path, cells, reason
):
    path = products_file(tmp_path, f"bad,Bad,beauty,{cells}\ngood,Good,beauty,yes,30,no\n")

    summary = import_sales(path)

    assert summary.reasons == {reason: 1}
    assert cycles() == {"good": (True, 30)}


def test_sensitive_true_marks_the_products_category_sensitive_and_says_so(tmp_path, capsys):
    path = products_file(
        tmp_path,
        "pills,Iron tablets,vitamins,,,true\n"
        "drops,Eye drops,vitamins,,,YES\n"
        "test,Pregnancy test,family,,,1\n"
        "coat,Wool coat,coats,,,false\n",
    )

    call_command("import_sales", str(path), "--source", "erp")

    out = capsys.readouterr().out
    assert "4 rows of products: 4 created, 0 updated, 0 unchanged, 2 categories marked sensitive;" in out
    sensitive = dict(Category.objects.values_list("code", "is_sensitive"))
    assert sensitive == {"vitamins": True, "family": True, "coats": False}
    assert Category.objects.get(code="vitamins").masked_as == "personal item"
    events = AuditEvent.objects.filter(action="category.flagged_sensitive")
    assert sorted(events.values_list("detail__code", flat=True)) == ["family", "vitamins"]
    assert {event.actor_kind for event in events} == {"import:erp"}


def test_sensitive_false_never_unmarks_a_category_and_a_second_run_marks_nothing(tmp_path):
    save_category(code="health", name="Health", sensitive=True, sensitive_label="health item")
    path = products_file(tmp_path, "pills,Iron tablets,health,,,false\nbalm,Lip balm,lips,,,true\n")
    import_sales(path)

    again = import_sales(path)

    assert again.records["categories_marked_sensitive"] == 0
    health = Category.objects.get(code="health")
    assert (health.sensitive, health.masked_as) == (True, "health item")
    assert AuditEvent.objects.filter(action="category.flagged_sensitive").count() == 1  # lips, once


def test_sensitive_true_without_a_category_marks_the_category_the_product_is_in(tmp_path):
    ProductFactory(sku="pills", category=CategoryFactory(code="vitamins"))
    path = products_file(tmp_path, "pills,Iron tablets,,,,true\n")

    import_sales(path)

    assert Category.objects.get(code="vitamins").is_sensitive


def test_sensitive_true_for_a_new_product_without_a_category_is_refused_rather_than_mark_every_import(
    tmp_path,
):
    path = products_file(tmp_path, "pills,Iron tablets,,,,true\ncoat,Wool coat,,,,\n")

    summary = import_sales(path)

    assert summary.reasons == {
        "sensitive needs a category: it marks the product's category sensitive, "
        "and imported holds every product imported without one": 1
    }
    assert not Category.objects.filter(is_sensitive=True).exists()
    assert list(Product.objects.values_list("sku", flat=True)) == ["coat"]


def test_a_product_marked_sensitive_by_a_file_is_no_longer_suggested(tmp_path, consenting_customer):
    pills = ProductFactory(sku="pills", category=CategoryFactory(code="vitamins"))
    Suggestion.objects.create(
        customer=consenting_customer, product=pills, list="discover", rank=1, score=1.0,
        reason="popular", model_version="t", created_at=timezone.now(),
    )  # fmt: skip

    import_sales(products_file(tmp_path, "pills,Iron tablets,vitamins,,,true\n"))

    assert not Suggestion.objects.exists()


def test_a_products_file_without_the_new_columns_leaves_replenishment_as_it_is(tmp_path):
    ProductFactory(sku="serum", replenishable=True, replenish_after_days=60)

    summary = import_sales(products_file(tmp_path, "serum,Night serum\n", head="product_id,name\n"))

    assert summary.records == {"created": 0, "updated": 1, "unchanged": 0}
    assert cycles() == {"serum": (True, 60)}
