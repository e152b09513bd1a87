from django.urls import path

from customers import views

app_name = "customers"

urlpatterns = [
    path("", views.customer_search, name="search"),
    path("scan/", views.scan, name="scan"),
    path("<uuid:public_id>/", views.customer_detail, name="detail"),
    path("<uuid:public_id>/notes/", views.add_note, name="add-note"),
    path("<uuid:public_id>/sizes/", views.add_size, name="add-size"),
    path("<uuid:public_id>/preferences/", views.add_preference, name="add-preference"),
    path("<uuid:public_id>/dates/", views.add_date, name="add-date"),
    path("<uuid:public_id>/follow-ups/", views.add_follow_up, name="add-follow-up"),
    path(
        "<uuid:public_id>/follow-ups/<int:follow_up_id>/done/",
        views.complete_follow_up,
        name="complete-follow-up",
    ),
    path("<uuid:public_id>/interactions/", views.log_interaction, name="log-interaction"),
    path(
        "<uuid:public_id>/suggestions/<int:product_id>/<str:kind>/",
        views.suggestion_feedback,
        name="suggestion-feedback",
    ),
]
