from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts.views import LoginView
from common.health import healthz
from relationships.views import my_day

urlpatterns = [
    path("", my_day, name="home"),
    path("healthz", healthz, name="healthz"),
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("customers/", include("customers.urls")),
    path("tablet/", include("accounts.urls")),
    path("duplicates/", include("identity.urls")),
    path("audit/", include("audit.urls")),
    path("dashboard/", include("dashboard.urls")),
    path("", include("outreach.urls")),
    path("", include("outreach.public_urls")),
    path("", include("relationships.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("consent.urls")),
    path("api/v1/", include("integrations.urls")),
    path("admin/", admin.site.urls),
]
