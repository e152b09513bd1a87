"""Celery jobs of the managers' pages: the dashboard's rollups (``managers.rollups``)."""

from celery import shared_task

from managers import rollups


@shared_task(name="managers.rollup_nightly")
def rollup_nightly() -> None:
    """The last ATTRIBUTION_DAYS + 1 days rebuilt, and yesterday's snapshot taken."""
    rollups.nightly()


@shared_task(name="managers.rollup_today")
def rollup_today() -> None:
    """Today's rows rebuilt (every few minutes)."""
    rollups.today()
