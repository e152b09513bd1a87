"""seed_demo: deterministic, believable demo data, and the demo_logins table."""

from collections.abc import Iterator
from datetime import date
from io import StringIO
from typing import Any

import phonenumbers
import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test import RequestFactory, override_settings
from pytest_django import DjangoDbBlocker

from customers.models import Customer
from demo.generate import count_rows, seed
from demo.generate.common import DEMO_PASSWORD

TODAY = date(2026, 3, 31)


def fast_hasher() -> override_settings:
    """A cheap hasher for tests: the real one is slow on purpose."""
    return override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])


# Ordered dumps of the tables whose content (ids included) must repeat exactly for the same seed.
FINGERPRINTED = {
    "customers_customer": "id, public_id, given_name, family_name, preferred_name, birth_date, locale, "
    "country, home_store_id, created_at",
    "customers_customeridentifier": "id, customer_id, kind, namespace, value, is_primary, verified_at",
    "catalog_product": "id, sku, name, brand_id, category_id, price, replenish_after_days",
    "catalog_stocklevel": "id, store_id, variant_id, quantity",
    "sales_order": "id, channel, external_id, customer_id, store_id, placed_at, currency, total_amount",
    "sales_orderline": "id, order_id, line_number, product_id, variant_id, quantity, unit_price, amount",
    "sales_returnline": "id, return_record_id, order_line_id, quantity, amount",
    "sales_serviceepisode": "id, kind, status, customer_id, product_id, opened_at, closed_at, summary",
    "consent_consentevent": "id, customer_id, purpose_id, granted, policy_version_id, collection_point_id, "
    "method, verification, occurred_at, recorded_by_id, receipt_id",
    "consent_consentstate": "id, customer_id, purpose_id, granted, event_id",
    "customers_size": "id, customer_id, category_id, size",
    "customers_preference": "id, customer_id, kind, likes, brand_id, value",
    "relationships_note": "id, customer_id, store_id, author_id, body, flagged_topics, review",
    "relationships_followup": "customer_id, store_id, assigned_to_id, title, due_on",
    "customers_storerelationship": "customer_id, store_id, tier, assigned_associate_id, spend_12m",
    "outreach_appointment": "public_id, customer_id, store_id, associate_id, starts_at, ends_at, purpose",
    "outreach_message": "public_id, customer_id, store_id, sent_by_id, subject, body, sent_at",
    "outreach_wishlistitem": "customer_id, product_id, added_by_id, created_at",
}


def fingerprint() -> dict[str, str]:
    out = {}
    with connection.cursor() as cursor:
        for table, columns in FINGERPRINTED.items():
            cursor.execute(
                "SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) "
                f"FROM (SELECT {columns} FROM {table}) t"
            )
            out[table] = cursor.fetchone()[0]
    return out


def seed_and_fingerprint(seed_value: int) -> dict[str, str]:
    """Seed inside a savepoint, fingerprint, and roll back, so the next call starts from the same state."""
    with fast_hasher(), transaction.atomic():
        seed(customers=150, seed=seed_value, today=TODAY, catalogue_scale=0.2)
        result = fingerprint()
        transaction.set_rollback(True)
    return result


def scalar(sql: str) -> Any:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


def rows(sql: str) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


@pytest.fixture(scope="module")
def seeded(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[None]:
    """400 customers seeded once for the module, inside a transaction rolled back at the end."""
    with django_db_blocker.unblock(), fast_hasher():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            seed(customers=400, seed=42, today=TODAY)
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


pytestmark = pytest.mark.django_db


def test_same_seed_gives_identical_data_and_another_seed_differs() -> None:
    first = seed_and_fingerprint(7)
    again = seed_and_fingerprint(7)
    other = seed_and_fingerprint(8)

    assert first == again
    assert all(other[table] != first[table] for table in ("customers_customer", "sales_order"))


def test_every_phone_is_a_valid_e164_number_of_the_customers_country(seeded: None) -> None:
    phones = rows(
        "SELECT i.value, c.country FROM customers_customeridentifier i "
        "JOIN customers_customer c ON c.id = i.customer_id WHERE i.kind = 'phone'"
    )

    assert len(phones) > 250
    for value, country in phones:
        number = phonenumbers.parse(str(value))
        assert phonenumbers.is_valid_number(number), value
        assert phonenumbers.region_code_for_number(number) == country, value
        assert value == phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def test_emails_are_unique_lowercase_and_under_a_reserved_domain(seeded: None) -> None:
    emails = [str(v) for (v,) in rows("SELECT value FROM customers_customeridentifier WHERE kind = 'email'")]

    assert len(emails) > 350
    assert len(set(emails)) == len(emails)
    assert all(e == e.lower() and e.endswith(".example") for e in emails)


def test_each_kind_of_identifier_has_exactly_one_primary_per_customer(seeded: None) -> None:
    missing_primary = scalar(
        "SELECT count(*) FROM (SELECT customer_id, kind FROM customers_customeridentifier "
        "GROUP BY 1, 2 HAVING count(*) FILTER (WHERE is_primary) <> 1) t"
    )
    loyalty = [
        str(v) for (v,) in rows("SELECT value FROM customers_customeridentifier WHERE kind = 'loyalty'")
    ]

    assert missing_primary == 0
    assert len(loyalty) > 150
    assert all(v.isalnum() and v == v.upper() for v in loyalty)


def test_customers_are_found_in_every_consent_state(seeded: None) -> None:
    states = dict(
        rows(
            "SELECT CASE WHEN s.granted THEN 'granted' WHEN s.granted IS NULL THEN 'never' "
            "ELSE 'withdrawn' END, "
            "count(*) FROM customers_customer c LEFT JOIN consent_consentstate s "
            "ON s.customer_id = c.id AND s.purpose_id = 'profile' GROUP BY 1"
        )
    )

    assert set(states) == {"granted", "never", "withdrawn"}
    assert 0.45 < int(states["granted"]) / 400 < 0.7


def test_each_consent_receipt_is_one_moment_of_one_customer(seeded: None) -> None:
    mixed = scalar(
        "SELECT count(*) FROM (SELECT receipt_id FROM consent_consentevent GROUP BY 1 "
        "HAVING count(DISTINCT (customer_id, occurred_at, granted)) > 1) t"
    )

    assert mixed == 0


def test_the_top_one_percent_of_customers_bring_far_more_than_one_percent_of_revenue(seeded: None) -> None:
    share = scalar(
        "WITH spend AS (SELECT customer_id, sum(total_amount) AS v FROM sales_order "
        "WHERE customer_id IS NOT NULL GROUP BY 1), "
        "ranked AS (SELECT v, ntile(100) OVER (ORDER BY v DESC) AS pct FROM spend) "
        "SELECT sum(v) FILTER (WHERE pct = 1) / sum(v) FROM ranked"
    )

    assert float(share) > 0.08


def test_every_store_has_its_top_one_percent_of_private_clients(seeded: None) -> None:
    from customers.models import StoreRelationship, ValueTier

    for store_id in StoreRelationship.objects.values_list("store_id", flat=True).distinct():
        here = StoreRelationship.objects.filter(store_id=store_id, spend_12m__gt=0)
        spenders = here.count()
        private = here.filter(tier=ValueTier.PRIVATE_CLIENT).count()
        assert 1 <= private <= max(1, round(spenders * 0.01)) + 2  # ties at the boundary share the tier
        assert here.filter(tier=ValueTier.PREFERRED).count() >= private


def test_sensitive_categories_mask_their_subtree_and_some_customers_buy_there(seeded: None) -> None:
    leaves = dict(rows("SELECT code, masked_as FROM catalog_category WHERE is_sensitive AND NOT sensitive"))
    buyers = scalar(
        "SELECT count(DISTINCT o.customer_id) FROM sales_orderline l JOIN sales_order o ON o.id = l.order_id "
        "JOIN catalog_product p ON p.id = l.product_id JOIN catalog_category c ON c.id = p.category_id "
        "WHERE c.is_sensitive AND o.customer_id IS NOT NULL"
    )

    assert leaves["f-halal"] == "dietary item"
    assert leaves["hl-pregnancy-tests"] == "family-planning item"  # its own label beats the parent's
    assert leaves["hl-vitamins"] == "health item"
    assert 0 < int(buyers) < 40


def test_associates_have_appointments_this_week_and_messages_went_to_customers_who_allow_them(
    seeded: None,
) -> None:
    assert scalar("SELECT count(*) FROM outreach_appointment") > 0
    assert scalar("SELECT count(*) FROM outreach_wishlistitem") > 0
    assert (
        scalar(
            """SELECT count(*) FROM outreach_message m WHERE NOT EXISTS (
               SELECT 1 FROM consent_consentstate s
               WHERE s.customer_id = m.customer_id AND s.purpose_id = 'contact_email' AND s.granted)"""
        )
        == 0
    )
    assert (
        scalar(
            """SELECT count(*) FROM outreach_wishlistitem w JOIN catalog_product p ON p.id = w.product_id
           JOIN catalog_category k ON k.id = p.category_id WHERE k.is_sensitive"""
        )
        == 0
    )


def test_order_totals_equal_the_sum_of_their_lines(seeded: None) -> None:
    wrong = scalar(
        "SELECT count(*) FROM sales_order o JOIN (SELECT order_id, sum(amount) AS s FROM sales_orderline "
        "GROUP BY 1) l ON l.order_id = o.id WHERE l.s <> o.total_amount"
    )
    empty = scalar("SELECT count(*) FROM sales_order o WHERE NOT EXISTS "
                   "(SELECT 1 FROM sales_orderline l WHERE l.order_id = o.id)")  # fmt: skip

    assert wrong == 0
    assert empty == 0


def test_channels_follow_the_rules_for_stores_and_currencies(seeded: None) -> None:
    mix = dict(rows("SELECT channel, count(*) FROM sales_order GROUP BY 1"))
    online_with_store = scalar(
        "SELECT count(*) FROM sales_order WHERE channel <> 'store' AND store_id IS NOT NULL"
    )
    wrong_currency = scalar(
        "SELECT count(*) FROM sales_order o JOIN stores_store s ON s.id = o.store_id "
        "WHERE o.currency <> s.currency"
    )
    total = sum(int(n) for n in mix.values())

    assert online_with_store == 0
    assert wrong_currency == 0
    assert 0.5 < int(mix["store"]) / total < 0.7
    assert 0.2 < int(mix["web"]) / total < 0.4


def test_store_orders_are_placed_during_local_opening_hours(seeded: None) -> None:
    hours = rows(
        "SELECT DISTINCT extract(hour FROM o.placed_at AT TIME ZONE s.timezone)::int "
        "FROM sales_order o JOIN stores_store s ON s.id = o.store_id"
    )

    assert {h for (h,) in hours} <= set(range(9, 21))


def test_return_lines_point_at_lines_of_the_same_customers_orders(seeded: None) -> None:
    mismatched = scalar(
        "SELECT count(*) FROM sales_returnline rl JOIN sales_return r ON r.id = rl.return_record_id "
        "JOIN sales_orderline l ON l.id = rl.order_line_id JOIN sales_order o ON o.id = l.order_id "
        "WHERE o.id <> r.order_id OR o.customer_id IS DISTINCT FROM r.customer_id "
        "OR rl.quantity > l.quantity OR r.returned_at < o.placed_at"
    )
    returns = scalar("SELECT count(*) FROM sales_return")

    assert int(returns) > 50
    assert mismatched == 0


def test_replenishable_favourites_are_bought_again(seeded: None) -> None:
    repeats = scalar(
        "SELECT count(*) FROM (SELECT o.customer_id, l.product_id FROM sales_orderline l "
        "JOIN sales_order o ON o.id = l.order_id JOIN catalog_product p ON p.id = l.product_id "
        "WHERE p.replenishable AND o.customer_id IS NOT NULL GROUP BY 1, 2 HAVING count(*) >= 3) t"
    )

    assert int(repeats) > 20


def test_new_rows_get_fresh_ids_after_the_seed(seeded: None) -> None:
    customer = Customer.objects.create(given_name="Ada")

    assert customer.pk > int(scalar("SELECT max(id) FROM customers_customer WHERE source = 'demo'"))


def test_if_empty_leaves_a_seeded_database_unchanged(seeded: None) -> None:
    before = count_rows()
    out = StringIO()

    call_command("seed_demo", "--if-empty", "--customers", "50", "--no-progress", stdout=out)

    assert "already has customers" in out.getvalue()
    assert count_rows() == before


def test_seeding_a_seeded_database_again_is_refused(seeded: None) -> None:
    with pytest.raises(CommandError, match="Demo stores already exist"):
        call_command("seed_demo", "--customers", "50", "--no-progress", stdout=StringIO())


def test_demo_logins_prints_the_staff_who_can_sign_in(seeded: None) -> None:
    out = StringIO()

    with fast_hasher():
        call_command("demo_logins", stdout=out)
        manager = authenticate(
            RequestFactory().post("/login/"), username="manager.london", password=DEMO_PASSWORD
        )

    table = out.getvalue()
    assert "admin" in table
    assert "manager.paris" in table
    floater = next(line for line in table.splitlines() if line.startswith("associate.lyon.3 "))
    assert "Lyon, Paris" in floater
    assert DEMO_PASSWORD in table
    assert manager is not None


def test_every_product_has_its_own_picture(seeded: None) -> None:
    assert (
        scalar("SELECT count(*) FROM catalog_product WHERE image_url <> '/product-images/' || sku || '.svg'")
        == 0
    )


def test_a_year_of_card_feedback_to_customers_who_ask_never_sensitive_some_of_it_bought(seeded: None) -> None:
    kinds = dict(rows("SELECT kind, count(*) FROM suggestions_feedback GROUP BY kind"))
    assert kinds["shown"] > 100
    assert kinds["liked"] > 0
    assert kinds["dismissed"] > 0
    assert (
        scalar(
            """SELECT count(*) FROM suggestions_feedback f
           JOIN catalog_product p ON p.id = f.product_id JOIN catalog_category k ON k.id = p.category_id
           WHERE k.is_sensitive"""
        )
        == 0
    )
    assert (
        scalar(
            """SELECT count(*) FROM suggestions_feedback f WHERE NOT EXISTS (
               SELECT FROM consent_consentstate c
               WHERE c.customer_id = f.customer_id AND c.purpose_id = 'suggestions' AND c.granted)"""
        )
        == 0
    )
    bought = scalar(
        """SELECT count(DISTINCT (f.customer_id, f.product_id)) FROM suggestions_feedback f
           JOIN sales_order o ON o.customer_id = f.customer_id AND o.placed_at > f.at
                             AND o.placed_at <= f.at + interval '14 days'
           JOIN sales_orderline l ON l.order_id = o.id AND l.product_id = f.product_id
           WHERE f.kind = 'shown'"""
    )
    assert 0.2 < bought / kinds["shown"] < 0.5
