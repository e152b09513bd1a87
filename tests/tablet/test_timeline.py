from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from catalog.services import save_category
from consent.models import PurposeCode
from outreach.models import Channel, Message, Use
from relationships.models import Interaction, Note
from tablet.timeline import InvalidCursor, customer_timeline
from tests.factories import (
    OrderFactory,
    OrderLineFactory,
    ProductFactory,
    ReturnFactory,
    ReturnLineFactory,
    ServiceEpisodeFactory,
    VariantFactory,
)

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)


def day(n: int) -> datetime:
    return T0 + timedelta(days=n)


@pytest.fixture
def history(consenting_customer, store, grant):
    """Order (day 1) → alteration (day 2) → return (day 3) → consent change (day 4)."""
    customer = consenting_customer
    blazer = ProductFactory(name="Linen Blazer", category=save_category(code="jackets", name="Jackets"))
    order = OrderFactory(customer=customer, store=store, placed_at=day(1), total_amount=Decimal("220.00"))
    line = OrderLineFactory(
        order=order, line_number=1, product=blazer, variant=VariantFactory(product=blazer, size="M")
    )
    ServiceEpisodeFactory(customer=customer, store=store, opened_at=day(2), product=blazer)
    refund = ReturnFactory(customer=customer, store=store, order=order, returned_at=day(3), reason="Too big")
    ReturnLineFactory(return_record=refund, order_line=line)
    grant(customer, [PurposeCode.CONTACT_SMS], at=day(4))
    return customer


def test_timeline_weaves_every_channel_newest_first(history):
    page = customer_timeline(history)

    kinds = [entry.kind for entry in page.entries]
    # The initial opt-in (recorded "now") is the newest; then the day-4 … day-1 events.
    assert kinds == ["consent", "consent", "return", "service", "order"]
    assert [e.at for e in page.entries] == sorted((e.at for e in page.entries), reverse=True)


def test_order_entry_lists_its_lines_with_variant(history):
    order = next(e for e in customer_timeline(history).entries if e.kind == "order")

    assert order.store_name == "London Marylebone"
    assert [(line.name, line.size, line.quantity) for line in order.lines] == [("Linen Blazer", "M", 1)]


def test_one_consent_receipt_is_one_entry_listing_its_purposes(history):
    opt_in = customer_timeline(history).entries[0]

    assert opt_in.title == "Gave consent"
    assert "Associates may see my profile and history" in opt_in.detail
    assert "Contact me by text message" in opt_in.detail


def test_sensitive_purchases_are_counted_under_one_neutral_label_never_named(consenting_customer, store):
    health = save_category(code="health", name="Health", sensitive=True, sensitive_label="health item")
    vitamins = save_category(code="vitamins", name="Vitamins", parent=health)
    tonic = ProductFactory(name="Prenatal Tonic", category=vitamins)
    socks = ProductFactory(name="Cashmere Socks")
    order = OrderFactory(customer=consenting_customer, store=store, placed_at=day(1))
    OrderLineFactory(order=order, line_number=1, product=socks)
    OrderLineFactory(order=order, line_number=2, product=tonic, quantity=2)
    ServiceEpisodeFactory(customer=consenting_customer, product=tonic, summary="Prenatal consultation")

    entries = customer_timeline(consenting_customer).entries
    order_entry = next(e for e in entries if e.kind == "order")
    service_entry = next(e for e in entries if e.kind == "service")

    assert [line.name for line in order_entry.lines] == ["Cashmere Socks"]
    assert [str(m) for m in order_entry.masked] == ["2 private items"]
    assert service_entry.detail == ""
    assert [str(m) for m in service_entry.masked] == ["1 private item"]
    assert "Prenatal" not in repr(entries)
    assert "health" not in repr(entries)  # the category's own label would name a special category


def test_a_retailer_may_choose_labels_by_category(consenting_customer, store, settings):
    settings.SENSITIVE_MASK_BY_CATEGORY = True
    health = save_category(code="health", name="Health", sensitive=True, sensitive_label="health item")
    order = OrderFactory(customer=consenting_customer, store=store, placed_at=day(1))
    OrderLineFactory(order=order, line_number=1, product=ProductFactory(name="Tonic", category=health))

    entry = next(e for e in customer_timeline(consenting_customer).entries if e.kind == "order")

    assert [str(m) for m in entry.masked] == ["1 health item"]


def test_pages_follow_on_without_gaps_or_repeats(consenting_customer, store):
    for n in range(7):
        OrderFactory(customer=consenting_customer, store=store, placed_at=day(n))
    # Two orders at the very same moment must both appear exactly once.
    OrderFactory(customer=consenting_customer, store=store, placed_at=day(3))

    seen, cursor = [], None
    while True:
        page = customer_timeline(consenting_customer, cursor=cursor, limit=3)
        seen.extend((e.kind, e.id) for e in page.entries)
        cursor = page.next_cursor
        if cursor is None:
            break

    assert len(seen) == len(set(seen)) == 9  # 8 orders + the opt-in


def test_a_forged_cursor_is_refused_with_a_clear_error(consenting_customer):
    with pytest.raises(InvalidCursor, match="not valid"):
        customer_timeline(consenting_customer, cursor="bm90LWEtY3Vyc29y")


def test_another_customers_history_never_leaks_in(history, store):
    from tests.factories import CustomerFactory

    OrderFactory(customer=CustomerFactory(), store=store, placed_at=day(1))

    assert len(customer_timeline(history).entries) == 5


@pytest.mark.parametrize("orders", [2, 40])
def test_a_page_costs_the_same_queries_however_long_the_history(
    consenting_customer, store, grant, orders, django_assert_num_queries
):
    for n in range(orders):
        order = OrderFactory(customer=consenting_customer, store=store, placed_at=day(n))
        for line_number in (1, 2, 3):
            OrderLineFactory(order=order, line_number=line_number)
        refund = ReturnFactory(
            customer=consenting_customer, order=order, returned_at=day(n) + timedelta(hours=2)
        )
        ReturnLineFactory(return_record=refund, order_line=order.lines.first())
        ServiceEpisodeFactory(
            customer=consenting_customer, store=store, opened_at=day(n) + timedelta(hours=1)
        )
        note = Note.objects.create(customer=consenting_customer, store=store, body=f"Note {n}")
        Note.objects.filter(pk=note.pk).update(created_at=day(n) + timedelta(hours=3))
        Interaction.objects.create(
            customer=consenting_customer,
            store=store,
            kind=Interaction.Kind.CALL,
            occurred_at=day(n) + timedelta(hours=4),
        )
        Message.objects.create(
            customer=consenting_customer,
            store=store,
            use=Use.OUTREACH,
            channel=Channel.SMS,
            body=f"Message {n}",
            send_after=day(n),
            created_at=day(n) + timedelta(hours=5),
        )
    grant(consenting_customer, [PurposeCode.CONTACT_SMS], at=day(1) + timedelta(minutes=30))

    # One statement picks the page and builds every entry, whatever kinds it holds.
    with django_assert_num_queries(1):
        page = customer_timeline(consenting_customer, limit=40)
    assert len(page.entries) == (40 if orders == 40 else orders * 6 + 2)  # + two consent receipts
    assert {e.kind for e in page.entries} >= {"order", "return", "service", "note", "interaction", "message"}
