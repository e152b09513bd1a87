"""Deployment checks for what the project's base provides."""

from typing import Any

from django.core.checks import CheckMessage, Tags, Warning, register

from common.db_roles import roles_are_split


@register(Tags.security, deploy=True)
def app_runs_as_its_own_role(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """The app should not connect as the owner of its tables (common/db_roles.py)."""
    if roles_are_split():
        return []
    return [
        Warning(
            "The app connects to the database as the owner of its tables, which may empty the audit "
            "trail and the consent ledger or switch their guards off.",
            hint="Give the app a role of its own in DATABASE_URL, the owner's in MIGRATION_DATABASE_URL, "
            "and run `manage.py create_runtime_role` once (README, 'Running in production').",
            id="common.W001",
        )
    ]
