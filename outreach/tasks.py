from celery import shared_task
from django.conf import settings

from outreach import delivery
from outreach.appointments import queue_due_reminders


@shared_task(
    name="outreach.deliver",
    ignore_result=True,
    soft_time_limit=settings.OUTBOX_TASK_TIME_LIMIT - 30,
    time_limit=settings.OUTBOX_TASK_TIME_LIMIT,
)
def deliver(message_id: int) -> str:
    return delivery.deliver(message_id).status


@shared_task(name="outreach.send_due")
def send_due() -> dict[str, int]:
    return delivery.send_due()


@shared_task(name="outreach.queue_reminders")
def queue_reminders() -> int:
    return queue_due_reminders()
