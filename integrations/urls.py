from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from integrations import catalogue, customers, episodes, orders, returns

app_name = "api"

urlpatterns = [
    path("stores/", catalogue.StoresView.as_view(), name="stores"),
    path("categories/", catalogue.CategoriesView.as_view(), name="categories"),
    path("products/", catalogue.ProductsView.as_view(), name="products"),
    path("stock/", catalogue.StockView.as_view(), name="stock"),
    path("customers/", customers.CustomersView.as_view(), name="customers"),
    path("orders/", orders.OrdersView.as_view(), name="orders"),
    path("returns/", returns.ReturnsView.as_view(), name="returns"),
    path("service-episodes/", episodes.ServiceEpisodesView.as_view(), name="service-episodes"),
    path("staff/", episodes.StaffView.as_view(), name="staff"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
]
