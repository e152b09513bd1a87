"""The site's URLs: each app's own, mounted here by name (the project imports no app's views)."""

from django.contrib import admin
from django.urls import include, path

from common.health import healthz, livez
from common.prometheus import metrics_view

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("livez", livez, name="livez"),
    path("metrics", metrics_view, name="metrics"),
    path("", include("tablet.urls")),
    path("", include("managers.urls")),
    path("", include("integrations.webhook_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("customer_site.urls")),
    path("", include("catalog.urls")),
    path("api/v1/", include("integrations.urls")),
    path("admin/", admin.site.urls),
]

# A database that is away answers 503 with Retry-After, whatever raised it (common/db_outage.py).
handler500 = "common.db_outage.server_error"
