from celery import shared_task

from occasions import generate, stock


@shared_task(name="occasions.nightly", acks_late=True)
def nightly() -> dict[str, int]:
    """Expire, then make every active rule's occasions (resumes a run cut short the same day)."""
    return generate.nightly()


@shared_task(name="occasions.for_customers", acks_late=True)
def for_customers(customer_ids: list[int], kinds: list[str]) -> dict[str, int]:
    """An event's occasions (her order came in, an appointment ended), within minutes."""
    return generate.for_customers(customer_ids, kinds)


@shared_task(name="occasions.recent")
def recent() -> dict[str, int]:
    """Every few minutes: a thank-you for orders just in, a follow-up for appointments just ended."""
    return generate.recent()


@shared_task(name="occasions.back_in_stock", acks_late=True)
def back_in_stock(store_id: int, variant_ids: list[int]) -> int:
    """A stock update brought these variants back at the store (sent through the outbox)."""
    return stock.back_in_stock(store_id, variant_ids)
