"""Gunicorn's settings: ``gunicorn -c python:clienteling.gunicorn_conf clienteling.wsgi``. They ship in
the package, so no file in the working directory is needed. Workers and the address come from the
environment."""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
# The access log: JSON lines with no query strings, no tokens, no headers (common/access_log.py).
accesslog = "-"
logger_class = "common.access_log.AccessLogger"
