"""A customer with a distinctive name, e-mail and phone, and everything the app can know about her."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import User
from customers.models import Customer, PreferenceKind
from customers.services import (
    NewCustomer,
    NewIdentifier,
    add_important_date,
    create_customer,
    set_preference,
    set_size,
)
from relationships.services import add_note, create_follow_up, log_interaction
from sales.models import Order
from stores.models import Store
from tests.factories import (
    CategoryFactory,
    OrderFactory,
    OrderLineFactory,
    ReturnFactory,
    ReturnLineFactory,
    ServiceEpisodeFactory,
)

GIVEN_NAME = "Zephyrine"
FAMILY_NAME = "Quillfeather"
EMAIL = "Zephyrine.Quillfeather@example.org"
PHONE = "07457 381946"  # a UK mobile, national format
LOYALTY = "QF88341207"

# What must not survive her erasure anywhere, matched case-insensitively: her names, e-mail, phone in
# E.164 and national formats (spaced or not), loyalty number.
NEEDLES = (
    GIVEN_NAME,
    FAMILY_NAME,
    EMAIL,
    "+447457381946",
    PHONE,
    PHONE.replace(" ", ""),
    "7457381946",
    "7457 381946",
    LOYALTY,
)


@dataclass
class Subject:
    customer: Customer
    orders: list[Order]


def build_subject(*, by: User, store: Store, grant) -> Subject:  # type: ignore[no-untyped-def]
    """Her, through the real services, with a bit of everything: profile, identifiers, consent,
    sizes, loves, a date, notes (one flagged), a follow-up, a contact, orders, a return, a repair."""
    customer = create_customer(
        by=by,
        home_store=store,
        data=NewCustomer(
            given_name=GIVEN_NAME,
            family_name=FAMILY_NAME,
            preferred_name="Zeph",
            birth_date=date(1988, 4, 17),
            locale="en-GB",
            country="GB",
            identifiers=(
                NewIdentifier("email", EMAIL),
                NewIdentifier("phone", PHONE),
                NewIdentifier("loyalty", LOYALTY),
            ),
        ),
    )
    grant(customer, store=store)
    dresses = CategoryFactory(code="dresses", name="Dresses")
    set_size(by=by, customer=customer, category=dresses, size="UK 12", fit_note="Zephyrine likes room")
    set_preference(by=by, customer=customer, kind=PreferenceKind.COLOUR, likes=True, value="emerald")
    add_important_date(
        by=by, customer=customer, kind="anniversary", month=6, day=21, label="Zephyrine's wedding"
    )
    add_note(by=by, customer=customer, store=store, body=f"{GIVEN_NAME} {FAMILY_NAME} wants the linen coat")
    add_note(by=by, customer=customer, store=store, body="Zephyrine back from hospital", confirmed=True)
    create_follow_up(
        by=by,
        customer=customer,
        store=store,
        title=f"Call {GIVEN_NAME} on {PHONE} when the coat arrives",
        due_on=timezone.localdate() + timedelta(days=3),
    )
    log_interaction(
        by=by, customer=customer, store=store, kind="call", summary=f"Told {GIVEN_NAME} about the coat"
    )
    orders = [
        OrderFactory(customer=customer, store=store, total_amount=Decimal("120.00")),
        OrderFactory(customer=customer, store=store, total_amount=Decimal("35.50")),
    ]
    line = OrderLineFactory(order=orders[0], line_number=1, amount=Decimal("120.00"))
    refund = ReturnFactory(
        order=orders[0], customer=customer, store=store, reason=f"{GIVEN_NAME} {FAMILY_NAME} changed her mind"
    )
    ReturnLineFactory(return_record=refund, order_line=line)
    ServiceEpisodeFactory(customer=customer, store=store, summary=f"Hem for {FAMILY_NAME}, call {PHONE}")
    return Subject(customer=customer, orders=orders)


@pytest.fixture
def subject(associate: User, store: Store, grant) -> Subject:  # type: ignore[no-untyped-def]
    return build_subject(by=associate, store=store, grant=grant)


def tables_mentioning(needles: tuple[str, ...] = NEEDLES) -> dict[str, list[str]]:
    """Every row of every table whose text form contains one of ``needles`` (case-insensitive)."""
    patterns = [f"%{needle}%" for needle in needles]
    found: dict[str, list[str]] = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(
                f"SELECT t::text FROM {connection.ops.quote_name(table)} t WHERE t::text ILIKE ANY(%s)",
                [patterns],
            )
            rows = [row[0] for row in cursor.fetchall()]
            if rows:
                found[table] = rows
    return found


def mentions(text: str, needles: tuple[str, ...] = NEEDLES) -> list[str]:
    return [needle for needle in needles if needle.lower() in text.lower()]
