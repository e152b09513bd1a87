"""What the product does, read from the environment (see README, "Configuration"): imports, the
suggestions' nightly run and rules, retention, the integration API's limits, identity, attribution,
what staff see of sensitive lines, unusual access, outreach and conversations, shared tablets' PINs,
opting in and the privacy centre. ``settings`` imports all of it beside the wiring (databases, Redis,
Celery, security headers, mail and text backends, static files)."""

from common.env import env_bool, env_int, env_list, env_matching, env_str, env_timezone

NIGHTLY_HOUR = env_int("NIGHTLY_HOUR", 2, minimum=0, maximum=23)
# A bulk load (import_sales) stops a statement running longer than this, and rolls back whole.
IMPORT_STATEMENT_TIMEOUT_SECONDS = env_int("IMPORT_STATEMENT_TIMEOUT_SECONDS", 15 * 60, minimum=1)
# The stores `import_sales --create-stores` makes are in this country (their staff pages in its
# locale), currency and time zone unless the command says otherwise (--country, --currency, --timezone).
IMPORT_STORE_COUNTRY = env_matching(
    "IMPORT_STORE_COUNTRY", "GB", r"[A-Z]{2}", expected="an ISO 3166 country code such as GB"
)
IMPORT_STORE_CURRENCY = env_matching(
    "IMPORT_STORE_CURRENCY", "GBP", r"[A-Z]{3}", expected="an ISO 4217 currency code such as GBP"
)
IMPORT_STORE_TIMEZONE = env_timezone("IMPORT_STORE_TIMEZONE", "Europe/London")
# The currency of a sales file's online orders (no store; a store's orders are in its currency).
IMPORT_ONLINE_CURRENCY = env_matching(
    "IMPORT_ONLINE_CURRENCY", "GBP", r"[A-Z]{3}", expected="an ISO 4217 currency code such as GBP"
)
# Suggestions: the nightly full refresh (hour, local TIME_ZONE), the incremental one (every N minutes),
# and the rules the engine applies.
SUGGESTIONS_HOUR = env_int("SUGGESTIONS_HOUR", NIGHTLY_HOUR, minimum=0, maximum=23)
SUGGESTIONS_INCREMENTAL_MINUTES = env_int("SUGGESTIONS_INCREMENTAL_MINUTES", 5, minimum=1, maximum=59)
SUGGESTIONS_BATCH_SIZE = env_int("SUGGESTIONS_BATCH_SIZE", 20_000, minimum=1)
# A full run with no batch finished for this long has its waiting batches sent again (beat, every
# 5 minutes); `refresh_suggestions --queue` gives up after twice as long without progress.
SUGGESTIONS_STALL_MINUTES = env_int("SUGGESTIONS_STALL_MINUTES", 10, minimum=1)
SUGGESTIONS_PER_LIST = env_int("SUGGESTIONS_PER_LIST", 5, minimum=1, maximum=20)
# Buy again and Discover share 2 x SUGGESTIONS_PER_LIST places, split as her combined ranking is, each
# keeping at least this many (0: the combined ranking alone decides; SUGGESTIONS_PER_LIST: 5 + 5 always).
SUGGESTIONS_MIN_PER_LIST = env_int("SUGGESTIONS_MIN_PER_LIST", 2, minimum=0, maximum=20)
SUGGESTIONS_MAX_PER_CATEGORY = env_int("SUGGESTIONS_MAX_PER_CATEGORY", 2, minimum=1)
SUGGESTIONS_RECENT_DAYS = env_int("SUGGESTIONS_RECENT_DAYS", 30, minimum=0)
SUGGESTIONS_DISMISS_DAYS = env_int("SUGGESTIONS_DISMISS_DAYS", 90, minimum=0)
SUGGESTIONS_CONVERSION_DAYS = env_int("SUGGESTIONS_CONVERSION_DAYS", 30, minimum=1)
# Threads the engine scores with inside one process (a Celery worker runs one batch at a time).
SUGGESTIONS_ENGINE_THREADS = env_int("SUGGESTIONS_ENGINE_THREADS", 1, minimum=1, maximum=64)

# Retention (privacy/retention.py, nightly): customers with no activity and no consent grant or
# renewal for this many months are erased; relationship notes older than this many months are deleted.
RETENTION_INACTIVE_MONTHS = env_int("RETENTION_INACTIVE_MONTHS", 24, minimum=1)
RETENTION_NOTE_MONTHS = env_int("RETENTION_NOTE_MONTHS", 18, minimum=1)
# What a number (or address) nobody has wrote us, and nobody linked to a client, goes after this many
# days (outreach/strangers.py): no profile means no consent to keep it longer.
RETENTION_UNKNOWN_SENDER_DAYS = env_int("RETENTION_UNKNOWN_SENDER_DAYS", 90, minimum=1)

# The integration API (/api/v1/, integrations/): per token, at most this many requests (DRF's
# "N/second|minute|hour|day"), items per request, and bytes per body.
API_THROTTLE_RATE = env_str("API_THROTTLE_RATE", "600/minute")
API_BULK_LIMIT = env_int("API_BULK_LIMIT", 1000, minimum=1)
API_MAX_BODY_BYTES = env_int("API_MAX_BODY_BYTES", 10 * 1024 * 1024, minimum=1024)
# Identity: profiles found to share an identifier of these kinds (on an incoming order or customer)
# are merged automatically; sharing only another kind (a household's phone) queues them for review.
IDENTITY_AUTO_MERGE_KINDS = env_list("IDENTITY_AUTO_MERGE_KINDS", ["loyalty", "email", "external"])
# Likely duplicates (similar names plus a similar phone or e-mail, or the same birthday) scoring at
# least this (0-1) are queued for managers by the nightly search.
DUPLICATE_MIN_SCORE = float(env_str("DUPLICATE_MIN_SCORE", "0.6"))
# A campaign's uploaded list of client ids (occasions.campaign_lists): larger files are refused whole.
CAMPAIGN_LIST_MAX_BYTES = env_int("CAMPAIGN_LIST_MAX_BYTES", 8 * 1024 * 1024, minimum=1024)
CAMPAIGN_LIST_MAX_ROWS = env_int("CAMPAIGN_LIST_MAX_ROWS", 200_000, minimum=1)
# Any form post larger than this is a 413 before it is read (common.upload_limit): the list and the
# form's other fields.
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", CAMPAIGN_LIST_MAX_BYTES + 256 * 1024, minimum=1024)
# Sales count as brought in by a suggestion or by outreach when made within this many days after.
ATTRIBUTION_DAYS = env_int("ATTRIBUTION_DAYS", 14, minimum=1)
# Staff see a line of a sensitive category as one neutral word ("1 private item"): a category's own
# label ("health item") would itself disclose special-category data, so it shows only if asked for.
SENSITIVE_MASK_LABEL = env_str("SENSITIVE_MASK_LABEL", "private item")
SENSITIVE_MASK_BY_CATEGORY = env_bool("SENSITIVE_MASK_BY_CATEGORY", default=False)
# Unusual access, flagged for managers: an hour with at least this many customer cards opened by
# one person, and at least FACTOR times her median hour of the 30 days before.
AUDIT_BUSY_HOUR_MIN = env_int("AUDIT_BUSY_HOUR_MIN", 40, minimum=1)
AUDIT_BUSY_HOUR_FACTOR = env_int("AUDIT_BUSY_HOUR_FACTOR", 3, minimum=1)

# Outreach (outreach/): at most OUTREACH_CAP messages and shared looks to one customer per
# OUTREACH_CAP_DAYS, whoever sends them (messages about her appointments are not counted); a failed
# delivery is tried again after OUTREACH_RETRY_SECONDS, doubling, up to OUTREACH_MAX_ATTEMPTS tries.
# Quiet hours are set per store (Store.quiet_hours_start/end, in the store's time zone).
OUTREACH_CAP = env_int("OUTREACH_CAP", 2, minimum=1)
OUTREACH_CAP_DAYS = env_int("OUTREACH_CAP_DAYS", 7, minimum=1)
OUTREACH_MAX_ATTEMPTS = env_int("OUTREACH_MAX_ATTEMPTS", 5, minimum=1)
OUTREACH_RETRY_SECONDS = env_int("OUTREACH_RETRY_SECONDS", 60, minimum=1)
LOOK_LINK_DAYS = env_int("LOOK_LINK_DAYS", 30, minimum=1)
# Reminders are queued this many hours before an appointment.
APPOINTMENT_REMINDER_HOURS = env_int("APPOINTMENT_REMINDER_HOURS", 24, minimum=1)

# Shared tablets: a manager enrols each one (its cookie lasts TABLET_ENROLMENT_DAYS, or until she
# revokes it); on an enrolled tablet, staff switch in with a personal PIN. PIN_MAX_ATTEMPTS wrong
# PINs lock that person's PIN, TABLET_PIN_MAX_ATTEMPTS wrong PINs (anyone's) lock the tablet's PIN
# sign-in; each lock lasts PIN_LOCK_MINUTES, doubled for each lock since the last right PIN, up to a
# day. A screen nobody has touched for IDLE_LOCK_MINUTES locks.
PIN_MAX_ATTEMPTS = env_int("PIN_MAX_ATTEMPTS", 5, minimum=1)
TABLET_PIN_MAX_ATTEMPTS = env_int("TABLET_PIN_MAX_ATTEMPTS", 10, minimum=1)
PIN_LOCK_MINUTES = env_int("PIN_LOCK_MINUTES", 15, minimum=1)
IDLE_LOCK_MINUTES = env_int("IDLE_LOCK_MINUTES", 5, minimum=1)
TABLET_ENROLMENT_DAYS = env_int("TABLET_ENROLMENT_DAYS", 90, minimum=1)
TABLET_COOKIE = "tablet_device"

# The store (its code) whose inbox takes messages nobody's profile explains (a number nobody has):
# there are no per-store sender numbers yet. Unset: the oldest active store.
CONVERSATION_DEFAULT_STORE = env_str("CONVERSATION_DEFAULT_STORE", "")
# An associate's answer to her own message within this many hours of it is not outreach: the weekly
# cap does not count it (consent and quiet hours still apply). Later, it is outreach again.
CONVERSATION_REPLY_WINDOW_HOURS = env_int("CONVERSATION_REPLY_WINDOW_HOURS", 48, minimum=1)
# The domain her replies to our e-mails are sent to: each e-mail's Reply-To is
# reply+<token>@CONVERSATION_REPLY_DOMAIN, the token naming her conversation with the store it left
# from (outreach/reply_address.py), and the domain's inbound mail is posted by the mail provider to
# /mail/inbound/ (INBOUND_MAIL_SECRET). Unset: no Reply-To, her replies go wherever the From goes.
CONVERSATION_REPLY_DOMAIN = env_matching(
    "CONVERSATION_REPLY_DOMAIN",
    "",
    r"|(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z][A-Za-z0-9-]{0,62}",
    expected="a domain name such as reply.shop.example (no @), or empty",
).lower()
# WhatsApp's own rule (Meta's customer-service window): free text may go to her only this many hours
# after her last WhatsApp message to the store; later, only templates Meta approved, which the app
# does not send. At most 24, Meta's window: set it lower to leave a margin.
WHATSAPP_ANSWER_WINDOW_HOURS = env_int("WHATSAPP_ANSWER_WINDOW_HOURS", 24, minimum=1, maximum=24)

# Opting in and the privacy centre.
OTP_TTL_MINUTES = env_int("OTP_TTL_MINUTES", 10, minimum=1)
OTP_MAX_ATTEMPTS = env_int("OTP_MAX_ATTEMPTS", 5, minimum=1)
OTP_SENDS_PER_IDENTIFIER_PER_HOUR = env_int("OTP_SENDS_PER_IDENTIFIER_PER_HOUR", 3, minimum=1)
OTP_SENDS_PER_DEVICE_PER_HOUR = env_int("OTP_SENDS_PER_DEVICE_PER_HOUR", 5, minimum=1)
OTP_UNCONFIRMED_PER_ADDRESS_PER_HOUR = env_int("OTP_UNCONFIRMED_PER_ADDRESS_PER_HOUR", 20, minimum=1)
PRIVACY_LINK_TTL_MINUTES = env_int("PRIVACY_LINK_TTL_MINUTES", 15, minimum=1)
PRIVACY_SESSION_MINUTES = env_int("PRIVACY_SESSION_MINUTES", 30, minimum=1)
EXPORT_LINK_TTL_MINUTES = env_int("EXPORT_LINK_TTL_MINUTES", 15, minimum=1)
EXPORT_KEEP_HOURS = env_int("EXPORT_KEEP_HOURS", 24, minimum=1)
