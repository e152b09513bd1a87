from django.apps import AppConfig


class CommonConfig(AppConfig):
    """The base library, installed for its management commands: migrations as the database's owner,
    the runtime role (``common.db_roles``)."""

    name = "common"
    verbose_name = "Common"

    def ready(self) -> None:
        from common import checks  # noqa: F401 - registers the deployment checks
