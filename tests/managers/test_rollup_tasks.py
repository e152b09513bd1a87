"""When the rollups' Celery jobs run, and what each takes: beat's schedule, and each store's
snapshot taken after its own midnight, wherever it is."""

from datetime import UTC, date, datetime

import pytest
from django.utils import timezone

from managers.models import StoreSnapshot
from managers.tasks import rollup_nightly, rollup_today
from tests.factories import CustomerFactory, StoreFactory

pytestmark = pytest.mark.django_db


def at(month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def test_a_store_west_of_the_server_gets_its_snapshot_minutes_after_its_own_midnight(store, monkeypatch):  # type: ignore[no-untyped-def]
    new_york = StoreFactory(code="nyc", timezone="America/New_York", country="US", currency="USD")
    CustomerFactory(home_store=new_york)

    # The nightly pass at 02:35 UTC on 20 March: London's yesterday is the 19th, New York's the 18th.
    monkeypatch.setattr(timezone, "now", lambda: at(3, 20, 2, 35))
    rollup_nightly.delay()
    rollup_today.delay()
    assert set(StoreSnapshot.objects.values_list("store_id", "day")) == {
        (store.pk, date(2026, 3, 19)),
        (new_york.pk, date(2026, 3, 18)),
    }

    # 04:05 UTC is 00:05 on the 20th in New York (UTC-4 from 8 March): the five-minute pass takes
    # its 19th, and takes nothing again for a store that has its snapshot.
    monkeypatch.setattr(timezone, "now", lambda: at(3, 20, 4, 5))
    london_taken = StoreSnapshot.objects.get(store=store, day=date(2026, 3, 19)).pk
    rollup_today.delay()
    rollup_today.delay()

    assert set(StoreSnapshot.objects.values_list("store_id", "day")) == {
        (store.pk, date(2026, 3, 19)),
        (new_york.pk, date(2026, 3, 18)),
        (new_york.pk, date(2026, 3, 19)),
    }
    assert StoreSnapshot.objects.get(store=store, day=date(2026, 3, 19)).pk == london_taken
    assert StoreSnapshot.objects.get(store=new_york, day=date(2026, 3, 19)).customers == 1


def test_beat_rolls_up_every_night_and_today_every_five_minutes(settings):
    nightly = settings.CELERY_BEAT_SCHEDULE["rollup-dashboard"]
    today = settings.CELERY_BEAT_SCHEDULE["rollup-dashboard-today"]

    assert nightly["task"] == rollup_nightly.name == "managers.rollup_nightly"
    assert nightly["schedule"].hour == {settings.NIGHTLY_HOUR}
    assert today["task"] == rollup_today.name == "managers.rollup_today"
    assert today["schedule"].minute == set(range(0, 60, 5))
