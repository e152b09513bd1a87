from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "consent"

    def ready(self) -> None:
        from common.db_roles import append_only
        from consent.data_rights import register_data_rights
        from consent.models import ConsentEvent

        register_data_rights()
        append_only(ConsentEvent)  # the ledger: the runtime role may read and insert, nothing else
