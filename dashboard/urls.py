from django.urls import path

from dashboard import views

app_name = "dashboard"

urlpatterns = [path("", views.store_dashboard, name="store")]
