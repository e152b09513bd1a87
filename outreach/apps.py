from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "outreach"
    verbose_name = "Outreach (messages, looks, wishlists, appointments)"

    def ready(self) -> None:
        from outreach.data_rights import register_data_rights

        register_data_rights()
