from celery import shared_task

from identity.duplicates import find_duplicates as find


@shared_task(name="identity.find_duplicates")
def find_duplicates() -> int:
    """Nightly: queue likely duplicate profiles for managers' review; returns pairs queued or refreshed."""
    return find()
