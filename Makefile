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

# The links the demo writes (QR codes, e-mails) point where it is served; served on every interface
# (HOST=0.0.0.0), at this machine's address on the local network, so a phone there can open them.
# A PUBLIC_BASE_URL of your own wins.
demo: export PUBLIC_BASE_URL ?= $(shell $(PY) -m common.network $(HOST) $(PORT) 2>/dev/null)
EVERY_INTERFACE := 0.0.0.0 :: [::]
ON_A_PHONE = On a phone on the same network, open $(PUBLIC_BASE_URL)/ or, to opt in as a customer, \
sign in as manager.london, print a poster (Posters) and scan its QR code.

# On Ctrl-C, runserver's reloader may kill the server before it lets go of the embedded database:
# the trap stops that database once the server has ended, however it ended (unless in use elsewhere),
# giving the server the reloader killed (and exited without waiting for) a few seconds to end.
demo: $(STAMP)  ## migrate, seed demo data if the database is empty, serve on http://$HOST:$PORT (127.0.0.1:8000)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --if-empty --customers $(DEMO_CUSTOMERS)
	$(PY) manage.py refresh_suggestions --if-missing
	$(PY) manage.py make_occasions
	$(PY) manage.py rollup_dashboard --days 400 --if-empty
	$(PY) manage.py demo_logins
	@echo; echo "The demo: $(PUBLIC_BASE_URL)/ (e-mails print here whole; their links and QR codes point there)."
	@$(if $(filter $(EVERY_INTERFACE),$(HOST)),echo "$(ON_A_PHONE)")
	trap 'timeout 60 $(PY) manage.py stop_embedded_db --wait 5' EXIT; $(PY) manage.py runserver $(HOST):$(PORT)

test: $(STAMP)  ## run the whole test suite (ruff, mypy, migrations check, pytest)
	@bash scripts/ensure-chromium
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py check
	$(VENV)/bin/mypy .
	$(PY) -m pytest $(PYTEST_ARGS)

bench: $(STAMP)  ## run every benchmark at small sizes (a few minutes) into bench/results/ (BENCH_ARGS="--only dashboard")
	$(PY) bench/all.py --quick $(BENCH_ARGS)

bench-full: $(STAMP)  ## run every benchmark at the README's sizes (hours) and update the README's marked tables
	$(PY) bench/all.py --full --readme $(BENCH_ARGS)

lint: $(STAMP)  ## format and fix what ruff can
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

.PHONY: help install demo test bench bench-full lint
