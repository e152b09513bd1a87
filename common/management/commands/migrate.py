"""``manage.py migrate``, as the database's owner, then the runtime role's grants on every table
(``common.db_roles``). Without split roles, Django's own command as it is."""

from typing import Any

from django.core.management.commands import migrate

from common.db_roles import as_owner, grant_runtime


class Command(migrate.Command):
    help = (
        migrate.Command.help
        + " Runs as the owner role (MIGRATION_DATABASE_URL), then grants the runtime role."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        database = options["database"]
        with as_owner(database):
            super().handle(*args, **options)
            grant_runtime(database)
