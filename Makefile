# The two commands: `make demo` (run the app with demo data) and `make test` (run every test).
# Both create .venv and install what they need; the second time they skip straight to work.
.DEFAULT_GOAL := help
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
DEMO_CUSTOMERS ?= 20000
HOST ?= 127.0.0.1
PORT ?= 8000

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/'

$(STAMP): pyproject.toml
	@bash scripts/bootstrap-venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)  ## create .venv and install the app with its development tools

demo: $(STAMP)  ## migrate, seed demo data if the database is empty, serve on http://127.0.0.1:8000
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --if-empty --customers $(DEMO_CUSTOMERS)
	$(PY) manage.py refresh_suggestions --if-missing
	$(PY) manage.py demo_logins
	$(PY) manage.py runserver $(HOST):$(PORT)

test: $(STAMP)  ## run the whole test suite (ruff, mypy, migrations check, pytest)
	@bash scripts/ensure-chromium
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py check
	$(VENV)/bin/mypy .
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(STAMP)  ## format and fix what ruff can
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

.PHONY: help install demo test lint
