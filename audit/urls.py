from django.urls import path

from audit import views

app_name = "audit"

urlpatterns = [
    path("", views.access_review, name="review"),
    path("staff/<int:user_id>/", views.staff_trail, name="staff"),
    path("customers/<uuid:public_id>/", views.customer_trail, name="customer"),
]
