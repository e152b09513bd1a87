from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = "Integrations (REST API)"

    def ready(self) -> None:
        from integrations import checks  # noqa: F401 - registers the deployment checks
