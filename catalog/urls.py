from django.urls import path

from catalog import views

app_name = "catalog"

urlpatterns = [
    path("product-images/<str:name>", views.product_image, name="product-image"),
]
