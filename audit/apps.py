from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"

    def ready(self) -> None:
        from audit.data_rights import register_data_rights
        from audit.models import AuditEvent
        from common.db_roles import append_only

        register_data_rights()
        append_only(AuditEvent)  # the runtime role may read and insert, nothing else
