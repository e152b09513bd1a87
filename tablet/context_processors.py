from django.conf import settings
from django.http import HttpRequest


def tablet(request: HttpRequest) -> dict[str, object]:
    return {"idle_lock_seconds": round(settings.IDLE_LOCK_MINUTES * 60)}
