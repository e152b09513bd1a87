from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from consent.models import PurposeCode
from customers.models import StoreRelationship, ValueTier
from relationships.models import FollowUp
from tests.factories import CustomerFactory, OrderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, associate):
    client.force_login(associate)
    return client


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


def test_birthdays_in_the_next_week_are_listed(signed_in, consenting_customer, store, grant):
    consenting_customer.birth_date = in_days(3).replace(year=1990)
    consenting_customer.save()
    later = CustomerFactory(given_name="Later", home_store=store, birth_date=in_days(20).replace(year=1985))
    grant(later)

    content = signed_in.get("/").content.decode()

    assert "Zoë Okafor" in content
    assert "Birthday" in content
    assert "Later" not in content


def test_top_clients_not_contacted_lately_are_suggested(signed_in, store, consenting_customer):
    StoreRelationship.objects.create(
        customer=consenting_customer,
        store=store,
        tier=ValueTier.PRIVATE_CLIENT,
        spend_12m=Decimal("9000"),
        last_contacted_at=timezone.now() - timedelta(days=90),
    )

    content = signed_in.get("/").content.decode()

    assert "Private client" in content
    assert "last contact 2\xa0months" in content


def test_recently_viewed_customers_are_listed_newest_first(signed_in, consenting_customer, store, grant):
    other = CustomerFactory(given_name="Ines", family_name="Laurent", home_store=store)
    grant(other)
    signed_in.get(f"/customers/{consenting_customer.public_id}/")
    signed_in.get(f"/customers/{other.public_id}/")

    content = signed_in.get("/").content.decode()
    recent = content[content.index("Recently viewed") :]

    assert recent.index("Ines Laurent") < recent.index("Zoë Okafor")


@pytest.mark.parametrize("orders", [5, 500])
def test_my_day_costs_the_same_queries_whatever_the_history(
    signed_in, consenting_customer, store, orders, django_assert_num_queries
):
    OrderFactory.create_batch(orders, customer=consenting_customer, store=store)
    signed_in.get(f"/customers/{consenting_customer.public_id}/")  # so "recently viewed" has someone

    # session, user, store; follow-ups, birthdays, anniversaries, top clients, the customers she
    # viewed last (one query), today's appointments, messages not delivered; whom it showed
    with django_assert_num_queries(11):
        assert signed_in.get("/").status_code == 200
