from django.apps import AppConfig


class CustomerSiteConfig(AppConfig):
    name = "customer_site"
    verbose_name = "The customer's side: opt-in, privacy centre, shared looks"
