from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from consent.models import PurposeCode
from customers.models import StoreRelationship, ValueTier
from occasions import generate
from outreach.models import Appointment, Channel, Message, Use
from relationships.models import FollowUp
from tests.factories import CustomerFactory, OrderFactory
from tests.occasions.conftest import rules  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db


def in_days(n: int) -> date:
    return timezone.localdate() + timedelta(days=n)


def test_my_day_lists_overdue_and_due_follow_ups(signed_in, associate, store, consenting_customer):
    FollowUp.objects.create(
        customer=consenting_customer,
        store=store,
        assigned_to=associate,
        title="Call about linen",
        due_on=in_days(-2),
    )
    FollowUp.objects.create(
        customer=consenting_customer, store=store, assigned_to=associate, title="Next week", due_on=in_days(7)
    )

    content = signed_in.get("/").content.decode()

    assert "Call about linen" in content
    assert "Overdue since" in content
    assert "Next week" not in content


def test_follow_ups_of_a_customer_who_withdrew_disappear(
    signed_in, associate, store, consenting_customer, withdraw
):
    FollowUp.objects.create(
        customer=consenting_customer, store=store, assigned_to=associate, title="Call back", due_on=in_days(0)
    )
    withdraw(consenting_customer, [PurposeCode.PROFILE])

    assert "Call back" not in signed_in.get("/").content.decode()


@pytest.mark.usefixtures("rules")
def test_a_birthday_this_week_is_on_my_day_once_as_her_occasion(signed_in, consenting_customer, store, grant):
    consenting_customer.birth_date = in_days(3).replace(year=1990 if in_days(3).month != 2 else 1992)
    consenting_customer.save()
    later = CustomerFactory(given_name="Later", home_store=store, birth_date=in_days(20).replace(year=1985))
    grant(later)
    generate.nightly()

    content = signed_in.get("/").content.decode()

    section = content.split('id="occasions"')[1].split("</section>")[0]
    assert "Zoë Okafor" in section
    # One birthday (hers; the later one's is not this week), once: its badge and its reason.
    assert content.count("Birthday") == content.count("Her birthday is on") == 1
    assert "Birthdays and anniversaries" not in content


@pytest.mark.usefixtures("rules")
def test_a_top_client_not_contacted_lately_is_one_to_keep_in_touch(signed_in, store, consenting_customer):
    StoreRelationship.objects.create(
        customer=consenting_customer,
        store=store,
        tier=ValueTier.PRIVATE_CLIENT,
        spend_12m=Decimal("9000"),
        first_activity_at=timezone.now() - timedelta(days=400),
        last_contacted_at=timezone.now() - timedelta(days=90),
    )
    generate.nightly()

    content = signed_in.get("/").content.decode()

    section = content.split('id="occasions"')[1].split("</section>")[0]
    assert "Zoë Okafor" in section
    assert "Private client: no contact for 90 days" in section
    assert "Top clients not contacted" not in content


def test_recently_viewed_customers_are_listed_newest_first(signed_in, consenting_customer, store, grant):
    other = CustomerFactory(given_name="Ines", family_name="Laurent", home_store=store)
    grant(other)
    signed_in.get(f"/customers/{consenting_customer.public_id}/")
    signed_in.get(f"/customers/{other.public_id}/")

    content = signed_in.get("/").content.decode()
    recent = content[content.index("Recently viewed") :]

    assert recent.index("Ines Laurent") < recent.index("Zoë Okafor")


def _fill_every_list(customer, store, associate, *, rows):  # type: ignore[no-untyped-def]
    """``rows`` of each of her lists: follow-ups due, appointments today (two at most), undelivered
    messages."""
    now = timezone.now()
    zone = ZoneInfo(store.timezone)
    today_at_half_past_midnight = datetime.combine(now.astimezone(zone).date(), time(0, 30), tzinfo=zone)
    for n in range(rows):
        FollowUp.objects.create(
            customer=customer, store=store, assigned_to=associate, title=f"Call {n}", due_on=in_days(-n)
        )
        if n < 2:  # two today
            Appointment.objects.create(
                customer=customer,
                store=store,
                associate=associate,
                starts_at=today_at_half_past_midnight + timedelta(hours=n),
                ends_at=today_at_half_past_midnight + timedelta(hours=n, minutes=30),
                purpose=Appointment.Purpose.FITTING,
                created_at=now,
            )
        Message.objects.create(
            customer=customer,
            store=store,
            sent_by=associate,
            use=Use.OUTREACH,
            channel=Channel.EMAIL,
            body="Hello",
            status=Message.Status.FAILED,
            last_error=f"Bounced {n}",
            send_after=now,
            created_at=now,
        )


@pytest.mark.parametrize(("orders", "rows"), [(5, 1), (500, 9)])
def test_my_day_costs_the_same_queries_whatever_the_history_and_full_her_lists(
    signed_in, consenting_customer, store, associate, orders, rows, django_assert_num_queries
):
    OrderFactory.create_batch(orders, customer=consenting_customer, store=store)
    _fill_every_list(consenting_customer, store, associate, rows=rows)
    signed_in.get(f"/customers/{consenting_customer.public_id}/")  # so "recently viewed" has someone

    # session, user, store; every list (follow-ups, the customers she viewed last, today's
    # appointments, messages not delivered) in one statement; the occasions the rules made
    # (occasions.selectors: hers, the queue's, her colleagues'); whom it showed
    with django_assert_num_queries(8):
        response = signed_in.get("/")
    assert response.status_code == 200
    day = response.context["day"]
    assert len(day.overdue) + len(day.due_today) == rows
    assert [c.pk for c in day.recently_viewed] == [consenting_customer.pk]
    assert len(day.appointments) == min(rows, 2)
    assert len(day.undelivered) == rows
    assert f"Bounced {rows - 1}" in response.content.decode()
