# Two commands on a fresh clone: `make run` and `make test`. See README.md.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
PHASE ?= 1
PYTEST_WORKERS ?= 2

.PHONY: install run test test-fast e2e serve migrate demo vendor bench lint layers clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

# npm devDependencies for the tests only (axe-core for the accessibility browser test); the
# portal's own front-end assets are already vendored in static/vendor (`make vendor`).
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm not found: the axe-core accessibility test will be skipped (fails with CI=true)"; fi

install: $(VENV)/.installed node_modules/.installed

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	DEBUG=1 $(PY) manage.py seed_demo --phase $(PHASE)
	if [ "$(PHASE)" -ge 3 ]; then DEBUG=1 $(PY) manage.py seed_judging_demo --room; fi

# Embedded default: SQLite, Celery tasks in-process, e-mail to the console.
# Reminders: `send_due_reminders --loop` is the embedded beat (see docs/reminders.md).
run: demo
	DEBUG=1 $(PY) manage.py send_due_reminders --loop & loop=$$!; \
	trap 'kill $$loop 2>/dev/null' EXIT INT TERM; \
	DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

test: install
	$(VENV)/bin/lint-imports --no-cache
	$(PY) -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

test-fast: install
	$(VENV)/bin/lint-imports --no-cache
	$(PY) -m pytest -n $(PYTEST_WORKERS) -m "not e2e and not celery_worker" $(PYTEST_ARGS)

e2e: install
	$(PY) -m pytest -m e2e $(PYTEST_ARGS)

# Production mode: gunicorn + Celery worker + beat against DATABASE_URL and REDIS_URL.
serve: install
	bash scripts/serve.sh

layers: install
	$(VENV)/bin/lint-imports --no-cache

vendor:
	bash scripts/vendor_assets.sh

bench: install
	$(PY) bench/run_all.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache db.sqlite3
