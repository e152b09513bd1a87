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


_DEVELOPMENT_SMS_BACKENDS = (
    "common.sms.ConsoleSmsBackend",
    "common.sms.FileSmsBackend",
    "common.sms.LocmemSmsBackend",
)


@register(Tags.security, deploy=True)
def texts_are_sent(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """A development text-message backend writes codes and sign-in links where others read them."""
    from django.conf import settings

    if settings.SMS_BACKEND not in _DEVELOPMENT_SMS_BACKENDS:
        return []
    return [
        Warning(
            f"SMS_BACKEND is {settings.SMS_BACKEND}: texts are not sent, and their one-time codes and "
            "sign-in links are written to the log or a file, where whoever reads it can use them.",
            hint="Set SMS_BACKEND to common.sms.HttpSmsBackend with SMS_HTTP_URL and SMS_HTTP_TOKEN_FILE "
            "(README, 'Configuration').",
            id="common.W002",
        )
    ]
