# The README's two commands: `make demo` and `make test`. Both set up .venv on a fresh clone.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test lint venv migrate messages check-messages worker beat bench clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed

migrate: venv
	$(PY) manage.py migrate --noinput

demo: migrate
	@.ci/ensure-chromium || true
	$(PY) manage.py load_demo --whole-year
	@echo
	@echo "Open http://$(HOST):$(PORT)/ and sign in with one of the accounts above."
	$(PY) manage.py runserver $(HOST):$(PORT)

test: venv
	@.ci/ensure-chromium
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) -m pytest $(PYTEST_ARGS)

lint: venv
	$(VENV)/bin/ruff check .

# Translations: extract, then translate locale/zh_Hans/LC_MESSAGES/django.po and compile.
messages: venv
	$(PY) manage.py makemessages -l zh_Hans --no-obsolete --ignore=.venv --ignore=staticfiles --ignore=tests --ignore=bench
	$(PY) manage.py compilemessages --ignore=.venv

check-messages: venv
	$(PY) -m pytest tests/test_translations.py

worker: venv
	$(VENV)/bin/celery -A config worker --loglevel=INFO -Q $(or $(QUEUES),default,imports,money,exports)

beat: venv
	$(VENV)/bin/celery -A config beat --loglevel=INFO

# Benchmarks on PostgreSQL (127.0.0.1:5432, or BENCH_POSTGRES): results in docs/benchmarks.md.
bench: venv
	$(PY) -m bench $(if $(ROWS),--rows $(ROWS)) $(if $(COUNTY_CLAIMS),--county-claims $(COUNTY_CLAIMS))

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
