"""Campaigns: a segment of the stores' clients split into each store's list and each associate's
occasions (her owner first, the rest spread evenly), only those who agreed to the channel and have an
address for it, the rest counted by reason; paused, ended; a stale version refused; sales attributed
within the window after the occasion was done."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Role
from audit.models import AuditEvent
from consent.models import ConsentState, PurposeCode
from customers.models import CustomerIdentifier, StoreRelationship, ValueTier
from occasions import actions, campaigns, results, selectors
from occasions.models import Campaign, Kind, Occasion
from tests.factories import CustomerFactory, IdentifierFactory, OrderFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(store, associate, teammate):  # type: ignore[no-untyped-def]
    return [
        associate,
        teammate,
        UserFactory(username="cat", first_name="Cat", role=Role.ASSOCIATE, stores=[store]),
    ]


def client(store, grant, *, owner=None, email=True, tier=ValueTier.CLIENT, purposes=None):  # type: ignore[no-untyped-def]
    customer = CustomerFactory(home_store=store)
    StoreRelationship.objects.create(customer=customer, store=store, assigned_associate=owner, tier=tier)
    if email:
        IdentifierFactory(
            customer=customer, kind=CustomerIdentifier.Kind.EMAIL, value=f"c{customer.pk}@example.com"
        )
    grant(customer, store=store, **({"purposes": purposes} if purposes else {}))
    return customer


def draft(manager, stores, **segment) -> Campaign:  # type: ignore[no-untyped-def]
    campaign = Campaign.objects.create(
        name="Winter coats", segment=segment, channel="email", starts_on=date(2026, 12, 7),
        ends_on=date(2026, 12, 20), created_by=manager, created_at=timezone.now(),
    )  # fmt: skip
    campaign.stores.set(stores)
    return campaign


def test_it_is_split_owners_first_the_rest_spread_evenly_and_the_left_out_counted(
    store, manager, team, grant, rules
):
    ben = team[1]
    owned = client(store, grant, owner=ben)
    unowned = [client(store, grant) for _ in range(6)]
    no_address = client(store, grant, email=False)
    not_agreed = client(store, grant, purposes=[PurposeCode.PROFILE, PurposeCode.CONTACT_SMS])
    campaign = draft(manager, [store])

    assert campaigns.preview(manager, campaign) == campaigns.Split(included=7, not_agreed=1, no_address=1)
    split = campaigns.launch(by=manager, campaign=campaign, version=campaign.version)

    assert split == campaigns.Split(included=7, not_agreed=1, no_address=1)
    made = {o.customer_id: o for o in Occasion.objects.filter(campaign=campaign)}
    assert set(made) == {owned.pk, *(c.pk for c in unowned)}
    assert made[owned.pk].owner == ben
    spread = [made[c.pk].owner_id for c in unowned]
    assert sorted(spread.count(person.pk) for person in team) == [2, 2, 2]  # evenly
    assert {o.kind for o in made.values()} == {Kind.CAMPAIGN}
    assert {(o.due_on, o.expires_on) for o in made.values()} == {(date(2026, 12, 7), date(2026, 12, 20))}
    assert no_address.pk not in made
    assert not_agreed.pk not in made
    campaign.refresh_from_db()
    assert (campaign.status, campaign.counts) == ("active", split.as_json())
    event = AuditEvent.objects.get(action="campaign.launched")
    assert event.detail == {"campaign_id": campaign.pk, "included": 7, "not_agreed": 1, "no_address": 1}


def test_the_segment_narrows_it(store, manager, team, grant, rules):
    top = client(store, grant, tier=ValueTier.PRIVATE_CLIENT)
    client(store, grant)
    campaign = draft(manager, [store], tier=ValueTier.PRIVATE_CLIENT)

    campaigns.launch(by=manager, campaign=campaign, version=campaign.version)

    assert list(Occasion.objects.values_list("customer_id", flat=True)) == [top.pk]


def test_the_client_books_filters_someone_looks_after_her_and_never_contacted(
    store, manager, associate, team, grant, rules
):
    owned_never = client(store, grant, owner=associate)
    unowned_never = client(store, grant)
    unowned_contacted = client(store, grant)
    StoreRelationship.objects.filter(customer=unowned_contacted).update(last_contacted_at=timezone.now())

    def reached(**segment) -> set[int]:  # type: ignore[no-untyped-def]
        return set(
            campaigns.audience(manager, draft(manager, [store], **segment)).values_list("pk", flat=True)
        )

    assert reached(owner=campaigns.OWNED) == {owned_never.pk}
    assert reached(owner=campaigns.UNOWNED) == {unowned_never.pk, unowned_contacted.pk}
    assert reached(not_contacted_days=0) == {owned_never.pk, unowned_never.pk}
    assert reached(owner=campaigns.UNOWNED, not_contacted_days=0) == {unowned_never.pk}
    assert reached(not_contacted_days=30) == {owned_never.pk, unowned_never.pk}


def test_only_the_campaigns_stores_and_only_those_the_manager_may_see(
    store, other_store, manager, team, grant, rules
):
    mine = client(store, grant)
    client(other_store, grant)
    withdrawn = client(store, grant)
    ConsentState.objects.filter(customer=withdrawn, purpose_id=PurposeCode.PROFILE).update(granted=False)
    campaign = draft(manager, [store])

    campaigns.launch(by=manager, campaign=campaign, version=campaign.version)

    assert list(Occasion.objects.values_list("customer_id", flat=True)) == [mine.pk]


def test_a_stale_version_changes_nothing_and_launching_twice_is_refused(store, manager, team, grant, rules):
    client(store, grant)
    campaign = draft(manager, [store])

    with pytest.raises(campaigns.StaleCampaign):
        campaigns.launch(by=manager, campaign=campaign, version=campaign.version + 1)
    assert not Occasion.objects.exists()
    campaigns.launch(by=manager, campaign=campaign, version=campaign.version)
    with pytest.raises(campaigns.StaleCampaign):
        campaigns.launch(by=manager, campaign=campaign, version=campaign.version + 1)
    assert Occasion.objects.count() == 1


def test_paused_it_leaves_my_day_ended_what_is_open_expires(store, manager, associate, team, grant, rules):
    client(store, grant, owner=associate)
    campaign = draft(manager, [store])
    campaigns.launch(by=manager, campaign=campaign, version=1)
    today = date(2026, 12, 7)

    assert len(selectors.for_my_day(associate, store, today)) == 1
    campaigns.set_status(by=manager, campaign=campaign, version=2, status=Campaign.Status.PAUSED)
    assert selectors.for_my_day(associate, store, today) == []
    campaigns.set_status(by=manager, campaign=campaign, version=3, status=Campaign.Status.ACTIVE)
    assert len(selectors.for_my_day(associate, store, today)) == 1
    campaigns.set_status(by=manager, campaign=campaign, version=4, status=Campaign.Status.ENDED)

    assert set(Occasion.objects.values_list("status", flat=True)) == {Occasion.Status.EXPIRED}
    with pytest.raises(campaigns.StaleCampaign):
        campaigns.set_status(by=manager, campaign=campaign, version=5, status=Campaign.Status.ACTIVE)


def test_progress_per_store_and_associate_and_the_sales_it_brought(
    store, manager, associate, team, grant, rules
):
    first, second = client(store, grant, owner=associate), client(store, grant, owner=associate)
    campaign = draft(manager, [store])
    campaigns.launch(by=manager, campaign=campaign, version=1)
    done = Occasion.objects.get(customer=first)
    actions.done(by=associate, occasion=done, outcome=Occasion.Outcome.MESSAGE)
    done.refresh_from_db()
    OrderFactory(
        customer=first,
        store=store,
        total_amount=Decimal("300.00"),
        placed_at=done.closed_at + timedelta(days=3),
    )
    OrderFactory(
        customer=first,
        store=store,
        total_amount=Decimal("90.00"),
        placed_at=done.closed_at + timedelta(days=30),
    )
    OrderFactory(customer=second, store=store, total_amount=Decimal("50.00"), placed_at=timezone.now())

    (row,) = results.progress(campaign)

    assert (row.store, row.owner, row.total, row.done, row.open) == (store, associate, 2, 1, 1)
    assert results.attributed_sales(campaign, days=14) == (1, Decimal("300.00"))
