"""Celery jobs of the consent app. Arguments are ids only: no personal data passes through the broker."""

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone, translation

from consent import delivery
from consent.models import CodeChannel, ConsentEvent, OneTimeCode, PrivacyLink, SendAttempt
from consent.purposes import choice_text
from customers.membership import membership_qr_png, membership_url
from customers.models import Customer


@shared_task(
    name="consent.send_receipt",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
    soft_time_limit=settings.OUTBOX_TASK_TIME_LIMIT - 30,
    time_limit=settings.OUTBOX_TASK_TIME_LIMIT,
)
def send_receipt(*, customer_id: int, receipt_id: str, kind: str, language: str) -> None:
    """E-mail or text her what she agreed to, with her membership code."""
    customer = Customer.objects.active().filter(pk=customer_id).first()
    if customer is None:
        return  # erased or merged meanwhile: nothing to send
    identifier = (
        customer.identifiers.filter(kind=kind, verified_at__isnull=False).order_by("-verified_at").first()
    )
    events = ConsentEvent.objects.filter(
        customer=customer, receipt_id=receipt_id, granted=True
    ).select_related("store")
    if identifier is None or not events:
        return
    with_language = language or "en"
    with translation.override(with_language):
        choices = [choice_text(e.purpose_id)[0] for e in events]
    delivery.send_receipt(
        channel=CodeChannel.EMAIL if kind == "email" else CodeChannel.SMS,
        to=identifier.value,
        language=with_language,
        store_name=events[0].store.name if events[0].store else "",
        choices=choices,
        membership_url=membership_url(customer),
        membership_png=membership_qr_png(customer),
    )


@shared_task(name="consent.delete_expired")
def delete_expired() -> dict[str, int]:
    """Nightly: codes, links and send attempts past their use (export files: ``privacy``)."""
    now = timezone.now()
    day_ago = now - timedelta(days=1)
    return {
        "codes": OneTimeCode.objects.filter(expires_at__lt=day_ago).delete()[0],
        "links": PrivacyLink.objects.filter(expires_at__lt=day_ago).delete()[0],
        "send_attempts": SendAttempt.objects.filter(created_at__lt=day_ago).delete()[0],
    }
