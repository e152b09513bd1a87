"""Each rule, true and false: what makes an occasion, and what does not; once per key; never without
the purposes it needs; never about a sensitive product; owned by her associate, else the queue."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from catalog.services import save_category
from consent.models import ConsentState, PurposeCode
from customers.models import ImportantDate, StoreRelationship
from occasions import generate
from occasions.actions import dismiss
from occasions.models import Kind, Occasion, OccasionRule, TopTiers
from occasions.reasons import reason
from outreach.models import Appointment
from suggestions.models import ProductCycle
from tests.factories import CustomerFactory, OrderFactory, OrderLineFactory, ProductFactory, UserFactory
from tests.occasions.conftest import NOW

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 7)


def made(kind: str) -> list[Occasion]:
    generate.nightly(now=NOW)
    return list(Occasion.objects.filter(kind=kind).order_by("pk"))


def test_a_purchase_above_the_amount_is_worth_a_thank_you_from_her_associate(her, store, associate):
    OrderFactory(
        customer=her, store=store, total_amount=Decimal("420.00"), placed_at=NOW - timedelta(hours=20)
    )
    OrderFactory(customer=her, store=store, total_amount=Decimal("80.00"), placed_at=NOW - timedelta(hours=5))

    (thanks,) = made(Kind.THANK_YOU)

    assert (thanks.customer, thanks.store, thanks.owner, thanks.due_on) == (her, store, associate, TODAY)
    assert thanks.detail["amount"] == "420.00"
    assert thanks.expires_on == TODAY + timedelta(days=7)
    assert thanks.template is not None
    assert thanks.template.name == "Thank you"


def test_an_old_purchase_or_one_below_the_amount_is_not(her, store):
    OrderFactory(customer=her, store=store, total_amount=Decimal("900.00"), placed_at=NOW - timedelta(days=5))
    OrderFactory(
        customer=her, store=store, total_amount=Decimal("199.99"), placed_at=NOW - timedelta(hours=1)
    )

    assert made(Kind.THANK_YOU) == []


def test_the_amount_is_the_retailers_to_tune(her, store):
    OccasionRule.objects.filter(kind=Kind.THANK_YOU).update(min_amount=Decimal("50"))
    OrderFactory(customer=her, store=store, total_amount=Decimal("80.00"), placed_at=NOW - timedelta(hours=5))

    assert len(made(Kind.THANK_YOU)) == 1


def test_a_birthday_a_week_ahead_once_a_year(her):
    her.birth_date = date(1990, 12, 12)
    her.save()
    (birthday,) = made(Kind.BIRTHDAY)
    generate.nightly(now=NOW + timedelta(days=1))  # the next night: the same birthday

    assert (birthday.key, birthday.due_on) == ("birthday:2026", date(2026, 12, 12))
    assert Occasion.objects.filter(kind=Kind.BIRTHDAY).count() == 1


def test_a_birthday_further_off_is_not_yet(her):
    her.birth_date = date(1990, 12, 20)
    her.save()

    assert made(Kind.BIRTHDAY) == []


def test_an_important_date_carries_its_label(her):
    ImportantDate.objects.create(
        customer=her, kind="anniversary", label="Wedding anniversary", month=12, day=9
    )

    (day,) = made(Kind.ANNIVERSARY)

    assert (day.due_on, day.detail["label"]) == (date(2026, 12, 9), "Wedding anniversary")


def test_after_her_appointment_the_associate_who_saw_her_follows_up(her, store, teammate):
    Appointment.objects.create(
        customer=her, store=store, associate=teammate, purpose="fitting", status="booked",
        starts_at=NOW - timedelta(hours=26), ends_at=NOW - timedelta(hours=25), created_at=NOW,
    )  # fmt: skip
    Appointment.objects.create(
        customer=her, store=store, associate=teammate, purpose="fitting", status="cancelled",
        starts_at=NOW - timedelta(hours=6), ends_at=NOW - timedelta(hours=5), created_at=NOW,
    )  # fmt: skip

    (after,) = made(Kind.AFTER_APPOINTMENT)

    assert after.owner == teammate


@pytest.fixture
def soap(db: None):  # type: ignore[no-untyped-def]
    product = ProductFactory(name="Fig soap")
    ProductCycle.objects.create(
        product=product, replenishable=True, said=False, cycle_days=21.0, repeat_share=0.4,
        interval_days=21.0, buyers=40, as_of=NOW,
    )  # fmt: skip
    return product


def test_a_replenishable_product_due_within_a_week_is_time_for_a_new_one(her, store, soap):
    OrderLineFactory(
        order=OrderFactory(customer=her, store=store, placed_at=NOW - timedelta(days=17)), product=soap
    )

    (refill,) = made(Kind.REPLENISH)

    assert refill.product == soap
    assert refill.due_on == (NOW - timedelta(days=17)).date() + timedelta(days=21)
    assert refill.detail["days"] == 21


def test_not_when_she_bought_it_again_or_it_is_not_due_or_she_refused_suggestions(her, store, soap, withdraw):
    OrderLineFactory(
        order=OrderFactory(customer=her, store=store, placed_at=NOW - timedelta(days=2)), product=soap
    )
    assert made(Kind.REPLENISH) == []  # bought two days ago: due in 19 days

    other = CustomerFactory(home_store=store)
    StoreRelationship.objects.create(customer=other, store=store)
    OrderLineFactory(
        order=OrderFactory(customer=other, store=store, placed_at=NOW - timedelta(days=18)), product=soap
    )
    ConsentState.objects.filter(customer=her).update(granted=True)
    assert made(Kind.REPLENISH) == []  # the other never agreed to anything


def test_a_sensitive_product_is_never_a_reason(her, store):
    pharmacy = save_category(code="pharmacy", name="Pharmacy", sensitive=True, sensitive_label="health item")
    pills = ProductFactory(name="Vitamins", category=pharmacy)
    ProductCycle.objects.create(
        product=pills, replenishable=True, said=False, cycle_days=30.0, repeat_share=0.9,
        interval_days=30.0, buyers=40, as_of=NOW,
    )  # fmt: skip
    OrderLineFactory(
        order=OrderFactory(customer=her, store=store, placed_at=NOW - timedelta(days=28)), product=pills
    )

    assert made(Kind.REPLENISH) == []


def test_a_good_client_drifting_away(her, store):
    StoreRelationship.objects.filter(customer=her, store=store).update(
        orders_count=4,
        first_activity_at=NOW - timedelta(days=200),
        last_activity_at=NOW - timedelta(days=160),
    )  # every 13 days, then nothing for 160 days

    (lapsing,) = made(Kind.LAPSING)

    assert lapsing.detail["usual_days"] == 13
    assert lapsing.expires_on == TODAY + timedelta(days=30)


def test_a_regular_who_came_recently_or_a_one_off_is_not_drifting(her, store):
    StoreRelationship.objects.filter(customer=her, store=store).update(
        orders_count=4, first_activity_at=NOW - timedelta(days=200), last_activity_at=NOW - timedelta(days=20)
    )
    one_off = CustomerFactory(home_store=store)
    StoreRelationship.objects.create(
        customer=one_off, store=store, orders_count=1, first_activity_at=NOW - timedelta(days=400),
        last_activity_at=NOW - timedelta(days=400),
    )  # fmt: skip

    assert made(Kind.LAPSING) == []


def test_welcome_after_opting_in_and_never_bought_a_month_on(store, grant, rules):
    new = CustomerFactory(home_store=store)
    grant(new, store=store, at=NOW - timedelta(hours=10))
    month_ago = CustomerFactory(home_store=store)
    grant(month_ago, store=store, at=NOW - timedelta(days=40))
    bought = CustomerFactory(home_store=store)
    grant(bought, store=store, at=NOW - timedelta(days=40))
    OrderFactory(customer=bought, store=store, placed_at=NOW - timedelta(days=3))

    generate.nightly(now=NOW)

    assert list(Occasion.objects.filter(kind=Kind.WELCOME).values_list("customer", flat=True)) == [new.pk]
    assert list(Occasion.objects.filter(kind=Kind.NEVER_BOUGHT).values_list("customer", flat=True)) == [
        month_ago.pk
    ]
    # No associate: the store's queue.
    assert Occasion.objects.get(kind=Kind.WELCOME).owner is None


@pytest.mark.parametrize("purpose", [PurposeCode.PROFILE, "contact"])
def test_never_for_a_customer_without_the_purposes_it_needs(her, store, purpose):
    OrderFactory(
        customer=her, store=store, total_amount=Decimal("420.00"), placed_at=NOW - timedelta(hours=2)
    )
    withdrawn = [PurposeCode.PROFILE] if purpose == PurposeCode.PROFILE else [
        PurposeCode.CONTACT_EMAIL, PurposeCode.CONTACT_SMS
    ]  # fmt: skip
    ConsentState.objects.filter(customer=her, purpose_id__in=withdrawn).update(granted=False)

    assert made(Kind.THANK_YOU) == []


def test_a_rule_switched_off_makes_nothing(her, store):
    OccasionRule.objects.filter(kind=Kind.THANK_YOU).update(is_active=False)
    OrderFactory(
        customer=her, store=store, total_amount=Decimal("420.00"), placed_at=NOW - timedelta(hours=2)
    )

    assert made(Kind.THANK_YOU) == []


def test_an_erased_or_merged_profile_gets_none(her, store):
    her.erased_at = NOW
    her.save()
    OrderFactory(
        customer=her, store=store, total_amount=Decimal("420.00"), placed_at=NOW - timedelta(hours=2)
    )

    assert made(Kind.THANK_YOU) == []


def test_without_an_associate_it_goes_to_the_stores_queue(her, store):
    StoreRelationship.objects.filter(customer=her).update(assigned_associate=None)
    OrderFactory(
        customer=her, store=store, total_amount=Decimal("420.00"), placed_at=NOW - timedelta(hours=2)
    )

    assert made(Kind.THANK_YOU)[0].owner is None


def test_a_colleague_elsewhere_is_never_the_owner(her, store, other_store):
    elsewhere = UserFactory(username="eli", stores=[other_store])
    StoreRelationship.objects.create(customer=her, store=other_store, assigned_associate=elsewhere)
    OrderFactory(
        customer=her, store=store, total_amount=Decimal("420.00"), placed_at=NOW - timedelta(hours=2)
    )

    assert made(Kind.THANK_YOU)[0].owner != elsewhere


@pytest.mark.parametrize("left", ["deactivated", "moved to another store"])
def test_an_associate_no_longer_at_the_store_leaves_it_to_the_queue(her, store, other_store, associate, left):
    if left == "deactivated":
        associate.is_active = False
        associate.save()
    else:
        associate.memberships.all().delete()
        associate.memberships.create(store=other_store, is_primary=True)
    OrderFactory(
        customer=her, store=store, total_amount=Decimal("420.00"), placed_at=NOW - timedelta(hours=2)
    )

    assert made(Kind.THANK_YOU)[0].owner is None


def test_occasions_are_in_utc_days_independent_of_the_hour(her):
    her.birth_date = date(1990, 12, 7)
    her.save()

    generate.nightly(now=datetime(2026, 12, 7, 23, 30, tzinfo=UTC))

    assert Occasion.objects.get(kind=Kind.BIRTHDAY).due_on == date(2026, 12, 7)


def top_client(customer, store, *, tier="private_client", contacted_days_ago=None, client_for_days=400):  # type: ignore[no-untyped-def]
    StoreRelationship.objects.filter(customer=customer, store=store).update(
        tier=tier,
        first_activity_at=NOW - timedelta(days=client_for_days),
        last_activity_at=NOW - timedelta(days=5),
        last_contacted_at=None if contacted_days_ago is None else NOW - timedelta(days=contacted_days_ago),
    )


def test_a_private_client_not_contacted_for_sixty_days_is_one_to_keep_in_touch_with(her, store, associate):
    top_client(her, store, contacted_days_ago=75)

    (keep,) = made(Kind.KEEP_IN_TOUCH)

    assert (keep.customer, keep.store, keep.owner, keep.due_on) == (her, store, associate, TODAY)
    assert keep.expires_on == TODAY + timedelta(days=14)
    assert keep.key == f"keep:{store.pk}:2026-09-23:1"
    assert keep.template is not None
    assert keep.template.name == "New arrivals"
    assert reason(keep) == "Private client: no contact for 75 days, since 23 September. Keep in touch."


def test_a_recent_contact_a_lesser_tier_or_a_new_client_is_not(her, store, grant):
    top_client(her, store, contacted_days_ago=20)
    preferred = CustomerFactory(home_store=store)
    grant(preferred, store=store)
    StoreRelationship.objects.create(customer=preferred, store=store)
    top_client(preferred, store, tier="preferred", contacted_days_ago=200)
    new = CustomerFactory(home_store=store)  # a private client since ten days, never contacted
    grant(new, store=store)
    StoreRelationship.objects.create(customer=new, store=store)
    top_client(new, store, client_for_days=10)

    assert made(Kind.KEEP_IN_TOUCH) == []


def test_the_tiers_and_the_silence_are_the_retailers_to_tune(her, store):
    OccasionRule.objects.filter(kind=Kind.KEEP_IN_TOUCH).update(tier=TopTiers.PREFERRED, after_days=30)
    top_client(her, store, tier="preferred", contacted_days_ago=40)

    (keep,) = made(Kind.KEEP_IN_TOUCH)

    assert reason(keep).startswith("Preferred client: no contact for 40 days")


def test_never_contacted_her_silence_runs_from_her_first_visit(her, store):
    top_client(her, store, client_for_days=100)

    (keep,) = made(Kind.KEEP_IN_TOUCH)

    assert keep.key == f"keep:{store.pk}:never:1"
    assert reason(keep) == "Private client since 29 August, never contacted. Keep in touch."


def test_keep_in_touch_comes_back_once_per_silent_stretch_and_a_contact_starts_afresh(her, store, associate):
    top_client(her, store, contacted_days_ago=75)
    (first,) = made(Kind.KEEP_IN_TOUCH)
    dismiss(by=associate, occasion=first, reason=Occasion.Dismissal.NOT_NOW)

    generate.nightly(now=NOW + timedelta(days=30))  # the same stretch: not again
    assert Occasion.objects.filter(kind=Kind.KEEP_IN_TOUCH).count() == 1
    generate.nightly(now=NOW + timedelta(days=45))  # 120 days of silence: the next stretch
    assert Occasion.objects.filter(kind=Kind.KEEP_IN_TOUCH).count() == 2

    StoreRelationship.objects.filter(customer=her).update(last_contacted_at=NOW + timedelta(days=46))
    generate.nightly(now=NOW + timedelta(days=100))  # 54 days after her contact: not yet
    assert Occasion.objects.filter(kind=Kind.KEEP_IN_TOUCH).count() == 2
    generate.nightly(now=NOW + timedelta(days=107))
    latest = Occasion.objects.filter(kind=Kind.KEEP_IN_TOUCH).latest("pk")
    assert latest.key == f"keep:{store.pk}:2027-01-22:1"


def test_drifting_away_says_more_so_keep_in_touch_gives_way_to_it(her, store):
    top_client(her, store, contacted_days_ago=90)
    StoreRelationship.objects.filter(customer=her, store=store).update(
        orders_count=4,
        first_activity_at=NOW - timedelta(days=200),
        last_activity_at=NOW - timedelta(days=160),
    )

    generate.nightly(now=NOW)

    assert list(Occasion.objects.values_list("kind", flat=True)) == [Kind.LAPSING]


def test_keep_in_touch_needs_her_consent_to_be_contacted(her, store):
    top_client(her, store, contacted_days_ago=75)
    ConsentState.objects.filter(
        customer=her, purpose_id__in=[PurposeCode.CONTACT_EMAIL, PurposeCode.CONTACT_SMS]
    ).update(granted=False)

    assert made(Kind.KEEP_IN_TOUCH) == []
