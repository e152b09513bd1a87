"""The dashboard's occasions due and done per associate, and its campaigns' results, against a small
story computed by hand (London, March 2026, a 14-day attribution window); the page and its CSV."""

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from occasions import results
from occasions.models import Campaign, Kind, Occasion
from tests.factories import CustomerFactory, OrderFactory

pytestmark = pytest.mark.django_db


def at(month: int, day: int) -> datetime:
    return datetime(2026, month, day, 12, 0, tzinfo=UTC)


def occasion(customer, store, owner, due, status="open", *, campaign=None, closed=None, n=[0]):  # type: ignore[no-untyped-def]  # noqa: B006
    n[0] += 1
    return Occasion.objects.create(
        customer=customer, store=store, kind=Kind.CAMPAIGN if campaign else Kind.BIRTHDAY, key=f"k{n[0]}",
        owner=owner, due_on=due, expires_on=due, status=status, campaign=campaign, closed_at=closed,
        created_at=at(2, 1),
    )  # fmt: skip


def campaign(name, stores, status="active", starts=date(2026, 3, 1), ends=date(2026, 3, 20)):  # type: ignore[no-untyped-def]
    made = Campaign.objects.create(
        name=name, channel="email", starts_on=starts, ends_on=ends, status=status, created_at=at(2, 1)
    )
    made.stores.set(stores)
    return made


@pytest.fixture
def story(store, other_store, associate, teammate):  # type: ignore[no-untyped-def]
    people = [CustomerFactory(home_store=store) for _ in range(6)]
    a, b, c, d, e, f = people
    march = date(2026, 3, 10)
    # Ava: three due in March (two done, one dismissed); Ben: one expired; the queue: one done, one to do.
    occasion(a, store, associate, march, "done", closed=at(3, 10))
    occasion(b, store, associate, date(2026, 3, 1), "done", closed=at(3, 2))
    occasion(c, store, associate, date(2026, 3, 31), "dismissed", closed=at(3, 31))
    occasion(d, store, teammate, march, "expired")
    occasion(e, store, None, march, "done", closed=at(3, 11))
    occasion(f, store, None, march)
    occasion(a, store, associate, date(2026, 4, 1))  # due in April: not March's
    occasion(CustomerFactory(home_store=other_store), other_store, None, march)  # Paris's
    # A London campaign: three clients, two contacted on 10 March; A ordered on the 15th (within 14
    # days: 80), B on 30 April (outside); C not contacted bought too (not the campaign's).
    coats = campaign("Winter coats", [store])
    occasion(a, store, associate, march, "done", campaign=coats, closed=at(3, 10))
    occasion(b, store, associate, march, "done", campaign=coats, closed=at(3, 10))
    occasion(c, store, teammate, march, "dismissed", campaign=coats, closed=at(3, 11))
    OrderFactory(customer=a, store=store, placed_at=at(3, 15), total_amount=Decimal("80"))
    OrderFactory(customer=b, store=store, placed_at=at(4, 30), total_amount=Decimal("55"))
    OrderFactory(customer=c, store=store, placed_at=at(3, 15), total_amount=Decimal("99"))
    # Chain-wide (London and Paris), Paris only, a draft, and one that ended in February.
    chain = campaign("Chain sale", [store, other_store], starts=date(2026, 3, 20), ends=date(2026, 4, 5))
    occasion(d, store, teammate, date(2026, 3, 20), campaign=chain)
    campaign("Paris only", [other_store])
    campaign("Draft", [store], status="draft")
    campaign("February", [store], status="ended", starts=date(2026, 2, 1), ends=date(2026, 2, 28))
    return coats


def test_due_and_done_per_associate_and_the_queue(story, store, associate, teammate):
    rows = results.due_and_done([store.pk], date(2026, 3, 1), date(2026, 3, 31))

    # Ava: 3 of her own and 2 of the campaign's; Ben: 1 expired, 1 campaign dismissed, 1 chain's to do.
    assert [(r.name, r.due, r.done, r.dismissed, r.expired, r.open) for r in rows] == [
        (associate.get_full_name(), 5, 4, 1, 0, 0),
        (teammate.get_full_name(), 3, 0, 1, 1, 1),
        ("", 2, 1, 0, 0, 1),
    ]
    assert rows[0].owner_id == associate.pk
    assert rows[2].owner_id is None
    assert rows[0].done_share == 0.8


def test_the_campaigns_running_in_the_period_with_what_they_brought(story, store, other_store):
    rows = results.campaign_results(
        [store.pk], date(2026, 3, 1), date(2026, 3, 31), window_days=14, hers=[store.pk]
    )

    assert [(r.name, r.clients, r.done, r.dismissed, r.open, r.orders, r.sales, r.yours) for r in rows] == [
        ("Chain sale", 1, 0, 0, 1, 0, Decimal(0), False),
        ("Winter coats", 3, 2, 1, 0, 1, Decimal("80.00"), True),
    ]
    everyone = results.campaign_results(
        [store.pk, other_store.pk], date(2026, 3, 1), date(2026, 3, 31), window_days=14, hers=None
    )
    assert [r.name for r in everyone] == ["Chain sale", "Paris only", "Winter coats"]
    assert all(r.yours for r in everyone)


def test_the_page_and_its_csv(client, manager, store, story, associate):
    associate.last_name = "Patel"
    associate.save()
    client.force_login(manager)
    query = {"store": store.code, "start": "2026-03-01", "end": "2026-03-31"}

    page = client.get(reverse("managers:dashboard"), query).content.decode()
    export = client.get(reverse("managers:dashboard"), query | {"format": "csv"}).content.decode()

    assert "Occasions due and done" in page
    assert '<th scope="row">Ava Patel</th><td>5</td><td>4 <span class="muted">(80%)</span></td>' in page
    assert f'href="/campaigns/{story.pk}/">Winter coats</a>' in page
    assert '<th scope="row">Chain sale <span' in page  # not all hers: no link to a page she cannot open
    assert "£80.00" in page
    values = {row[3]: row[4] for row in list(csv.reader(io.StringIO(export)))[1:]}
    assert values["occasions due for Ava Patel"] == "5"
    assert values["occasions done by Ava Patel"] == "4"
    assert values["occasions due for the store's queue"] == "2"
    assert values["campaign Winter coats: orders after a contact"] == "1"
    assert values["campaign Winter coats: sales after a contact"] == "80.00"
