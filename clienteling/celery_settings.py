"""Celery's settings (the broker, time limits, the outbox's redelivery) and the schedule of the periodic
jobs, read from the environment; star-imported by ``settings.py`` (see README, "Configuration")."""

from celery.schedules import crontab

from clienteling.product_settings import NIGHTLY_HOUR, SUGGESTIONS_HOUR, SUGGESTIONS_INCREMENTAL_MINUTES
from common.env import env_int, env_str

# Celery: a Redis broker when configured; otherwise tasks run in-process so the demo needs no broker.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL")
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL is None
if CELERY_BROKER_URL is None:
    CELERY_BROKER_URL = "memory://"
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env_str(
    "CELERY_RESULT_BACKEND", None if CELERY_TASK_ALWAYS_EAGER else CELERY_BROKER_URL
)
CELERY_RESULT_EXPIRES = 24 * 60 * 60
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A task a worker took and lost (its process killed) goes back to the queue after the visibility
# timeout (Redis); no task may run longer than that, or a second worker would be handed it meanwhile.
# An hour, so that a nightly job at a million customers has room; what people asked for comes back
# sooner through the outbox's relay (its lease), and a stalled refresh through its watchdog.
CELERY_VISIBILITY_TIMEOUT = env_int("CELERY_VISIBILITY_TIMEOUT", 60 * 60, minimum=1)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    # How often a worker looks for such tasks (kombu's default, 10 s × every 10th look, is 100 s).
    "unacked_restore_interval": env_int("CELERY_UNACKED_RESTORE_SECONDS", 30, minimum=1),
    "unacked_restore_throttle": 1,
    # A broker that stops answering without closing the connection fails a publish instead of
    # blocking it for ever (kombu waits without limit by default).
    "socket_connect_timeout": 5,
    "socket_timeout": 30,
}
_hard = CELERY_VISIBILITY_TIMEOUT
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", max(_hard - 60, 1), minimum=1, maximum=_hard)
_soft = CELERY_TASK_TIME_LIMIT
CELERY_TASK_SOFT_TIME_LIMIT = env_int(
    "CELERY_TASK_SOFT_TIME_LIMIT", max(_soft - 60, 1), minimum=1, maximum=_soft
)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# What someone asked for goes through the outbox (common/outbox.py): a job not reported done is
# published again after OUTBOX_REDELIVER_SECONDS, doubling up to an hour; a worker's claim on a job
# lapses after OUTBOX_LEASE_SECONDS (longer than any such job may run: OUTBOX_TASK_TIME_LIMIT).
OUTBOX_TASK_TIME_LIMIT = env_int("OUTBOX_TASK_TIME_LIMIT", 300, minimum=60)
OUTBOX_LEASE_SECONDS = env_int(
    "OUTBOX_LEASE_SECONDS", OUTBOX_TASK_TIME_LIMIT + 60, minimum=OUTBOX_TASK_TIME_LIMIT + 1
)
# The first publication again comes after the lease: a job still running is not sent twice.
OUTBOX_REDELIVER_SECONDS = env_int("OUTBOX_REDELIVER_SECONDS", OUTBOX_LEASE_SECONDS, minimum=10)
OUTBOX_KEEP_DAYS = env_int("OUTBOX_KEEP_DAYS", 7, minimum=1)
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "relay-outbox": {"task": "common.relay_outbox", "schedule": 30.0},
    "refresh-value-tiers": {
        "task": "customers.refresh_value_tiers",
        "schedule": crontab(hour=NIGHTLY_HOUR, minute=5),
    },
    "delete-expired-consent-artefacts": {
        "task": "consent.delete_expired",
        "schedule": crontab(hour=NIGHTLY_HOUR, minute=15),
    },
    "delete-expired-exports": {
        "task": "privacy.delete_expired_exports",
        "schedule": crontab(hour=NIGHTLY_HOUR, minute=15),
    },
    "refresh-suggestions": {
        "task": "suggestions.refresh_all",
        "schedule": crontab(hour=SUGGESTIONS_HOUR, minute=30),
    },
    "resume-stalled-suggestions": {
        "task": "suggestions.resume_stalled",
        "schedule": crontab(minute="*/5"),
    },
    "refresh-recent-suggestions": {
        "task": "suggestions.refresh_recent",
        "schedule": crontab(minute=f"*/{SUGGESTIONS_INCREMENTAL_MINUTES}"),
    },
    "find-duplicates": {
        "task": "identity.find_duplicates",
        "schedule": crontab(hour=NIGHTLY_HOUR, minute=25),
    },
    "rollup-dashboard": {
        "task": "managers.rollup_nightly",
        "schedule": crontab(hour=NIGHTLY_HOUR, minute=35),
    },
    "rollup-dashboard-today": {"task": "managers.rollup_today", "schedule": crontab(minute="*/5")},
    "apply-retention": {
        "task": "privacy.apply_retention",
        "schedule": crontab(hour=NIGHTLY_HOUR, minute=20),
    },
    "send-due-messages": {"task": "outreach.send_due", "schedule": crontab(minute="*")},
    # After the suggestions' refresh: time for a new one reads the cycles it settles.
    "make-occasions": {"task": "occasions.nightly", "schedule": crontab(hour=SUGGESTIONS_HOUR, minute=50)},
    "make-recent-occasions": {"task": "occasions.recent", "schedule": crontab(minute="*/5")},
    "queue-appointment-reminders": {"task": "outreach.queue_reminders", "schedule": crontab(minute="*/10")},
}
