from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "identity"
    verbose_name = "Identity: merges and duplicates"

    def ready(self) -> None:
        from identity.data_rights import register_data_rights

        register_data_rights()
