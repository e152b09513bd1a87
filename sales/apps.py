from django.apps import AppConfig


class SalesConfig(AppConfig):
    name = "sales"

    def ready(self) -> None:
        from sales.data_rights import register_data_rights

        register_data_rights()
