from django.apps import AppConfig


class RelationshipsConfig(AppConfig):
    name = "relationships"
    verbose_name = "Relationships (notes, follow-ups, interactions)"

    def ready(self) -> None:
        from relationships.data_rights import register_data_rights

        register_data_rights()
