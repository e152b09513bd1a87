"""The Celery application.

Workers: ``celery -A clienteling worker``; scheduler: ``celery -A clienteling beat``.
"""

import os

from celery import Celery

from common import task_metrics

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clienteling.settings")

# Every task runs through the outbox's base class: a job someone asked for runs once (common/outbox.py).
app = Celery("clienteling", task_cls="common.outbox:Task")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Tasks' outcomes and durations for Prometheus, and a worker's scrape port (CELERY_METRICS_PORT).
task_metrics.connect()
