"""The relay's beat task (``common.outbox``)."""

from celery import shared_task

from common import outbox


@shared_task(name="common.relay_outbox", ignore_result=True)
def relay_outbox() -> dict[str, int]:
    return outbox.relay()
