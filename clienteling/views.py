from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from clienteling.health import check_broker, check_database


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Database and broker reachability, for load balancers and uptime checks."""
    checks = {"database": check_database(), "broker": check_broker()}
    healthy = all(check["ok"] for check in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks},
        status=200 if healthy else 503,
    )
