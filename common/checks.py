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


_DEVELOPMENT_WHATSAPP_BACKENDS = (
    "common.whatsapp.ConsoleWhatsAppBackend",
    "common.whatsapp.FileWhatsAppBackend",
    "common.whatsapp.LocmemWhatsAppBackend",
)


@register(Tags.security, deploy=True)
def whatsapp_answers_are_sent(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Her WhatsApp messages come in (the webhook has a secret) but the answers would not go out."""
    from django.conf import settings

    if (
        not settings.WHATSAPP_INBOUND_SECRET
        or settings.WHATSAPP_BACKEND not in _DEVELOPMENT_WHATSAPP_BACKENDS
    ):
        return []
    return [
        Warning(
            f"WhatsApp messages are received, but WHATSAPP_BACKEND is {settings.WHATSAPP_BACKEND}: answers "
            "to them are written to the log or a file, not sent.",
            hint="Set WHATSAPP_BACKEND to common.whatsapp.HttpWhatsAppBackend with WHATSAPP_PHONE_NUMBER_ID "
            "and WHATSAPP_TOKEN_FILE (README, 'Configuration').",
            id="common.W005",
        )
    ]


@register(Tags.security, deploy=True)
def files_go_where_the_operator_said(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Run-time files need a home that outlives the process; the erasure ledger, one it can write."""
    import os
    from pathlib import Path

    from django.conf import settings

    found: list[CheckMessage] = []
    if not settings.VAR_DIR_SET:
        found.append(
            Warning(
                f"VAR_DIR is not set: the app writes downloads and the erasure ledger under "
                f"{settings.VAR_DIR}, the working directory's var/, which depends on where it started.",
                hint="Set VAR_DIR to a folder on persistent storage the app's user can write (the image: "
                "/var/lib/clienteling), and ERASURE_LEDGER_PATH to a volume of its own.",
                id="common.W003",
            )
        )
    folder = Path(settings.ERASURE_LEDGER_PATH).parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir() or not os.access(folder, os.W_OK):
        found.append(
            Warning(
                f"The erasure ledger {settings.ERASURE_LEDGER_PATH} cannot be written: every erasure would "
                "fail after it commits, and run again until it can.",
                hint="Make its folder writable by the app's user, or set ERASURE_LEDGER_PATH elsewhere.",
                id="common.W004",
            )
        )
    return found
