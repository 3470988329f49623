# Enforcement Academy — the two commands a fresh machine needs are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
MANAGE := $(PY) manage.py
STAMP := $(VENV)/.installed

.PHONY: run install test lint migrate seed serve worker beat lock messages bench clean

run: $(STAMP) ## install, migrate, load demo data and serve on http://127.0.0.1:8000
	$(MANAGE) migrate --noinput
	$(MANAGE) seed_demo
	$(MANAGE) runserver 127.0.0.1:8000

install: $(STAMP) ## create .venv and install the locked dependencies

$(STAMP): requirements.lock
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	touch $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Browser-side test tools (axe-core) from the npm registry; only the browser tests use them.
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --no-audit --no-fund --ignore-scripts --silent && touch node_modules/.installed; \
	else echo "npm not found: the accessibility checks will skip"; fi

test: $(STAMP) ## ruff, system checks, migration check, the test suite
	-@$(MAKE) --no-print-directory node_modules/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DJANGO_SETTINGS_MODULE=config.settings.test $(MANAGE) check
	DJANGO_SETTINGS_MODULE=config.settings.test $(MANAGE) makemigrations --check --dry-run
	$(BIN)/pytest $(PYTEST_ARGS)

migrate: $(STAMP)
	$(MANAGE) migrate --noinput

seed: $(STAMP)
	$(MANAGE) seed_demo

worker: $(STAMP) ## a Celery worker on Redis (production-like setup)
	CELERY_BROKER_URL=$${CELERY_BROKER_URL:-redis://127.0.0.1:6379/0} \
	CELERY_TASK_ALWAYS_EAGER=false \
	$(BIN)/celery -A config worker --loglevel=INFO --concurrency=2

beat: $(STAMP) ## the Celery beat scheduler on Redis
	CELERY_BROKER_URL=$${CELERY_BROKER_URL:-redis://127.0.0.1:6379/0} \
	CELERY_TASK_ALWAYS_EAGER=false \
	$(BIN)/celery -A config beat --loglevel=INFO --schedule=$${CELERY_BEAT_SCHEDULE_FILE:-/tmp/enforcement-academy-beat}

lock: ## recompile requirements.lock from requirements.in (needs pip-tools)
	$(BIN)/pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links --output-file requirements.lock requirements.in

messages: $(STAMP) ## extract and compile translations (needs GNU gettext)
	$(MANAGE) makemessages --locale zh_Hans --locale en --ignore ".venv/*" --ignore "static_collected/*"
	$(MANAGE) compilemessages --ignore ".venv/*"

bench: $(STAMP) ## run the benchmarks of bench/ and print figures beside targets (not part of make test)
	$(PY) bench/run.py $(BENCH)

clean:
	rm -rf $(VENV) static_collected .pytest_cache .ruff_cache
