from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from clienteling import views
from relationships.views import my_day

urlpatterns = [
    path("", my_day, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("customers/", include("customers.urls")),
    path("admin/", admin.site.urls),
]
