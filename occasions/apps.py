from django.apps import AppConfig


class OccasionsConfig(AppConfig):
    name = "occasions"
    verbose_name = "Occasions (whom to contact today, and why)"

    def ready(self) -> None:
        from occasions.data_rights import register_data_rights

        register_data_rights()
