"""``manage.py create_runtime_role``: run once by the database's owner (``MIGRATION_DATABASE_URL``)
to make the role the app runs as (the user and password of ``DATABASE_URL``) and grant it what it
may do. Safe to run again: it sets the password and the grants anew."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from common.db_roles import as_owner, create_runtime_role, grant_runtime, roles_are_split, runtime_role


class Command(BaseCommand):
    requires_system_checks: list[str] = []  # they would connect as the role this command makes
    help = "As the owner: create (or update) the runtime role of DATABASE_URL and grant it its rights."

    def handle(self, *args: Any, **options: Any) -> None:
        if not roles_are_split():
            raise CommandError(
                "DATABASE_URL and MIGRATION_DATABASE_URL name the same role (or MIGRATION_DATABASE_URL is "
                "unset): give the app a role of its own in DATABASE_URL, and the owner's in "
                "MIGRATION_DATABASE_URL."
            )
        role = runtime_role()
        with as_owner():
            made = create_runtime_role(role, settings.DATABASES["default"].get("PASSWORD") or None)
            grant_runtime()
        self.stdout.write(f"{'Created' if made else 'Updated'} role {role} and granted it its rights.")
