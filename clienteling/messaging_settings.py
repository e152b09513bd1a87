"""How messages leave and come back: the mail, text and WhatsApp backends, and the secrets and limits of
the providers' webhooks; star-imported by ``settings.py`` (see README, "Configuration")."""

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from clienteling.place_settings import PRODUCTION, VAR_DIR
from common.env import env_bool, env_int, env_matching, env_str

# Mail and text messages (one-time codes, receipts, privacy-centre links). In development, e-mails
# are written to the terminal decoded (common/mail.py), so the links in them are whole.
_EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION else "common.mail.ReadableConsoleBackend",
)
_EMAIL_OPTIONS: dict[str, object] = {}
if _EMAIL_BACKEND.endswith("smtp.EmailBackend"):
    _EMAIL_OPTIONS = {
        "host": env_str("EMAIL_HOST", "localhost"),
        "port": env_int("EMAIL_PORT", 25, minimum=1, maximum=65535),
        "username": env_str("EMAIL_HOST_USER", ""),
        "password": env_str("EMAIL_HOST_PASSWORD", ""),
        "use_tls": env_bool("EMAIL_USE_TLS", default=False),
        "timeout": 10,
    }
elif _EMAIL_BACKEND.endswith("filebased.EmailBackend"):
    _EMAIL_OPTIONS = {"file_path": env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))}
MAILERS = {"default": {"BACKEND": _EMAIL_BACKEND, "OPTIONS": _EMAIL_OPTIONS}}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Clienteling <no-reply@localhost>")
# A dotted path to a class with ``send(to: str, body: str)`` (see common/sms.py).
SMS_BACKEND = env_str("SMS_BACKEND", "common.sms.ConsoleSmsBackend")
if SMS_BACKEND.startswith("clienteling.sms."):
    raise ImproperlyConfigured(
        f"SMS_BACKEND: the backends moved, set {SMS_BACKEND.replace('clienteling', 'common')}"
    )
SMS_FILE_PATH = Path(env_str("SMS_FILE_PATH", str(VAR_DIR / "sms")))
# common.sms.HttpSmsBackend: POSTs JSON to this URL with this bearer token.
SMS_HTTP_URL = env_str("SMS_HTTP_URL", "")
SMS_HTTP_TOKEN = env_str("SMS_HTTP_TOKEN", "")
SMS_HTTP_TIMEOUT = env_int("SMS_HTTP_TIMEOUT", 10, minimum=1)
# The provider signs the replies it forwards (STOP) with this secret: HMAC-SHA256 of the body, hex,
# in X-Signature. Unset, the reply webhook answers 404.
SMS_INBOUND_SECRET = env_str("SMS_INBOUND_SECRET", "")
# Answers on WhatsApp (common/whatsapp.py), like SMS_BACKEND: the console by default;
# common.whatsapp.HttpWhatsAppBackend posts to the Cloud API, {WHATSAPP_API_URL}/{WHATSAPP_PHONE_NUMBER_ID}/
# messages, with WHATSAPP_TOKEN (a system user's access token) as its bearer.
WHATSAPP_BACKEND = env_str("WHATSAPP_BACKEND", "common.whatsapp.ConsoleWhatsAppBackend")
WHATSAPP_FILE_PATH = Path(env_str("WHATSAPP_FILE_PATH", str(VAR_DIR / "whatsapp")))
WHATSAPP_API_URL = env_matching(
    "WHATSAPP_API_URL", "https://graph.facebook.com/v23.0", r"https?://\S+", expected="an http(s):// address"
)
WHATSAPP_PHONE_NUMBER_ID = env_matching(
    "WHATSAPP_PHONE_NUMBER_ID", "", r"\d*", expected="the business number's id in the Cloud API (digits)"
)
WHATSAPP_TOKEN = env_str("WHATSAPP_TOKEN", "")
WHATSAPP_HTTP_TIMEOUT = env_int("WHATSAPP_HTTP_TIMEOUT", 10, minimum=1)
if WHATSAPP_BACKEND.endswith(".HttpWhatsAppBackend") and not (WHATSAPP_PHONE_NUMBER_ID and WHATSAPP_TOKEN):
    raise ImproperlyConfigured(
        "WHATSAPP_BACKEND sends through the Cloud API: set WHATSAPP_PHONE_NUMBER_ID and WHATSAPP_TOKEN "
        "(or WHATSAPP_TOKEN_FILE)."
    )
# Conversations (outreach/inbound.py, integrations/webhooks.py). The providers' webhooks
# (/sms/replies/, /sms/status/, /whatsapp/events/, /mail/inbound/) are signed with their secret over
# "<X-Timestamp>.<body>" (SMS_INBOUND_SECRET above, WHATSAPP_INBOUND_SECRET, INBOUND_MAIL_SECRET;
# unset: every call is refused); a call whose X-Timestamp is further than WEBHOOK_TOLERANCE_SECONDS
# from our clock is refused as a replay, and a body past WEBHOOK_MAX_BODY_BYTES with a 413. An
# e-mail has its own, larger limit, INBOUND_MAIL_MAX_BODY_BYTES: a reply carries the quoted thread,
# an HTML copy and, in Postmark's JSON, its attachments inline (a phone's photo is megabytes), and a
# 413 loses her reply once the provider gives up retrying. Attachments are not kept.
WHATSAPP_INBOUND_SECRET = env_str("WHATSAPP_INBOUND_SECRET", "")
INBOUND_MAIL_SECRET = env_str("INBOUND_MAIL_SECRET", "")
WEBHOOK_TOLERANCE_SECONDS = env_int("WEBHOOK_TOLERANCE_SECONDS", 300, minimum=1)
WEBHOOK_MAX_BODY_BYTES = env_int("WEBHOOK_MAX_BODY_BYTES", 256 * 1024, minimum=1024)
INBOUND_MAIL_MAX_BODY_BYTES = env_int("INBOUND_MAIL_MAX_BODY_BYTES", 10 * 1024 * 1024, minimum=64 * 1024)
