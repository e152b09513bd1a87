# syntax=docker/dockerfile:1
# The app's image: web (gunicorn), worker and beat (Celery) all run it; compose.yaml shows how.
# Every install step is scripts/image-install, which the CI smoke test runs too, in this order
# (tests/deploy/test_production_path.py reads the steps from this file).
ARG PYTHON_IMAGE=python:3.12-slim-bookworm

# --- build: the wheel, then a virtualenv holding it and its dependencies (all binary wheels) --------
FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY . .
RUN scripts/image-install wheel /src /wheels
RUN scripts/image-install venv /wheels /opt/clienteling

# --- run: the virtualenv, the static files, a user of its own; no compiler, no source tree ---------
FROM ${PYTHON_IMAGE}
ENV PATH=/opt/clienteling/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    APP_ENV=production \
    VAR_DIR=/var/lib/clienteling \
    MEDIA_ROOT=/var/lib/clienteling/media \
    STATIC_ROOT=/opt/clienteling/static \
    GUNICORN_BIND=0.0.0.0:8000
RUN groupadd --system --gid 10001 clienteling \
 && useradd --system --uid 10001 --gid clienteling --home-dir /var/lib/clienteling --create-home \
            --shell /usr/sbin/nologin clienteling \
 && mkdir -p /var/lib/clienteling/media /var/lib/clienteling/ledger /var/lib/clienteling/beat \
 && chown -R clienteling:clienteling /var/lib/clienteling
COPY --from=build /opt/clienteling /opt/clienteling
COPY scripts/image-install /usr/local/bin/image-install
RUN image-install static /opt/clienteling /opt/clienteling/static
USER clienteling
WORKDIR /var/lib/clienteling
EXPOSE 8000
# Liveness: the process answers (no database, no broker); readiness is /healthz, for the proxy.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request as u; u.urlopen(u.Request('http://127.0.0.1:8000/livez', headers={'Host': os.environ.get('ALLOWED_HOSTS', 'localhost').split(',')[0]}), timeout=4)"]
CMD ["gunicorn", "--config", "python:clienteling.gunicorn_conf", "clienteling.wsgi"]
