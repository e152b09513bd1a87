"""Deployment checks for the integration API."""

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register


@register(Tags.security, deploy=True)
def throttle_counts_are_shared(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """The API's throttle counts in the cache: a cache of each process's own lets every web worker
    accept the full rate (two workers, twice the limit)."""
    backend = str(settings.CACHES["default"]["BACKEND"])
    if backend.endswith(("LocMemCache", "DummyCache")):
        return [
            Warning(
                "The cache is each process's own memory, so the API throttle counts per process.",
                hint="Set CACHE_URL (or CELERY_BROKER_URL) to a Redis URL shared by every web process.",
                id="integrations.W001",
            )
        ]
    return []
