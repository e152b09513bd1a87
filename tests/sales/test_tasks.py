from decimal import Decimal

import pytest

from customers.models import StoreRelationship
from sales import tasks
from tests.factories import CustomerFactory, OrderFactory


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_the_nightly_refresh_runs_on_a_real_worker_and_is_safe_to_run_twice(celery_worker, store):
    customer = CustomerFactory(home_store=store)
    OrderFactory(customer=customer, store=store, total_amount=Decimal("80.00"))

    for _ in range(2):
        result = tasks.refresh_store_relationships.delay()
        assert result.get(timeout=30) is None
        assert type(result).__name__ == "AsyncResult"  # not an eager result
        assert result.state == "SUCCESS"

    relationship = StoreRelationship.objects.get(customer=customer, store=store)
    assert (relationship.orders_count, relationship.lifetime_spend) == (1, Decimal("80.00"))


def test_beat_schedules_the_nightly_refresh(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["refresh-value-tiers"]

    assert entry["task"] == tasks.refresh_value_tiers.name
    assert entry["schedule"].hour == {settings.NIGHTLY_HOUR}
