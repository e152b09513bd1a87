from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.switch, name="switch"),
    path("<int:user_id>/pin/", views.enter_pin, name="pin"),
    path("lock/", views.lock, name="lock"),
    path("store/", views.choose_store, name="store"),
    path("my-pin/", views.change_pin, name="change-pin"),
]
