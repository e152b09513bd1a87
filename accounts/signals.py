"""Password sign-in throttling (django-axes), as this project keys and audits it."""

from typing import Any

from axes.signals import user_locked_out
from django.dispatch import receiver
from django.http import HttpRequest

from accounts.models import User
from audit.services import record_event
from common import metrics


def typed_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """The account a sign-in tried, as axes counts failures for it: case and spaces do not make a
    new account to guess at."""
    return str((credentials or {}).get("username") or request.POST.get("username", "")).strip().lower()


@receiver(user_locked_out)
def _audit_lockout(sender: object, request: HttpRequest, username: str | None = None, **kwargs: Any) -> None:
    user = User.objects.filter(username__iexact=username or "").first() if username else None
    record_event(by=None, action="staff.locked_out", detail={"user_id": user.pk if user else None})
    metrics.SIGN_IN_LOCKOUTS.labels(method="password").inc()
