"""Celery jobs of sales: each customer's standing per store, and the value tiers ranked from it. The
task names are those they had under ``customers``, so messages already queued still run."""

from celery import shared_task

from customers.services import compute_value_tiers
from sales import services


@shared_task(name="customers.refresh_store_relationships")
def refresh_store_relationships(customer_ids: list[int] | None = None) -> None:
    """Re-derive activity and 12-month spend per store (nightly for everyone, or for some ids)."""
    services.refresh_store_relationships(customer_ids=customer_ids)


@shared_task(name="customers.refresh_value_tiers")
def refresh_value_tiers() -> int:
    """Nightly: refresh every store relationship from sales, then re-rank each store's tiers."""
    services.refresh_store_relationships()
    return compute_value_tiers()
