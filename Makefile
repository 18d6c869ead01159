# Ensemble: `make run` installs everything and starts the suite; `make test` runs every test.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
STAMPS := var/stamps
PYTHON ?= python3
# The configuration used by the PostgreSQL + Redis run of the test suite.
PG_ENV := DATABASE_URL=postgres://postgres@127.0.0.1:5432/ensemble \
	REDIS_URL=redis://127.0.0.1:6379/14 \
	SECRET_KEY=test-secret-key-for-the-postgres-run-of-the-suite-only \
	ENCRYPTION_KEYS=test:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=

.PHONY: run install system test lint test-frontend test-embedded test-production e2e bench bench-storage bench-chat bench-meet bench-docs clean

run: install
	$(BIN)/ensemble serve

install: system $(STAMPS)/python $(STAMPS)/frontend $(STAMPS)/messages $(STAMPS)/static
	@$(BIN)/ensemble manage migrate --no-input --verbosity 0
	@$(BIN)/ensemble manage shell -c "from ensemble.accounts.models import User; \
		exit(0 if User.objects.filter(is_superuser=True).exists() else 1)" \
		|| $(BIN)/ensemble createadmin --email admin@localhost

system:
	@bash scripts/system-packages.sh

$(STAMPS)/python: pyproject.toml requirements.lock
	@mkdir -p $(STAMPS)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c requirements.lock -e '.[dev]'
	@touch $@

$(STAMPS)/frontend: frontend/package.json frontend/package-lock.json $(wildcard frontend/src/*.ts frontend/src/*/*.ts) frontend/vite.config.ts frontend/scripts/copy-dsfr.mjs
	@mkdir -p $(STAMPS)
	cd frontend && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error && npm run build --silent
	@touch $@

$(STAMPS)/messages: $(wildcard ensemble/locale/*/LC_MESSAGES/*.po) | $(STAMPS)/python
	cd ensemble && ../$(BIN)/django-admin compilemessages --ignore '.venv' > /dev/null
	@touch $@

$(STAMPS)/static: $(STAMPS)/frontend $(STAMPS)/python $(wildcard ensemble/static/*.css)
	$(BIN)/ensemble manage collectstatic --no-input --verbosity 0
	@touch $@

# The OpenID provider the single sign-on tests run against (npm oidc-provider).
$(STAMPS)/oidc-provider: e2e/oidc-provider/package.json e2e/oidc-provider/package-lock.json
	@mkdir -p $(STAMPS)
	cd e2e/oidc-provider && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

test: install $(STAMPS)/oidc-provider lint test-frontend test-embedded test-production e2e

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy ensemble

# The browser code's unit tests (vitest, in a simulated DOM).
test-frontend:
	cd frontend && npm test --silent

test-embedded:
	ENSEMBLE_DATA_DIR=var/test-embedded $(BIN)/pytest -q ensemble

test-production:
	@bash scripts/test-services.sh
	$(PG_ENV) ENSEMBLE_DATA_DIR=var/test-production $(BIN)/pytest -q ensemble

# The browser tests run in a private network namespace where WebRTC works on loopback
# (scripts/media-netns, as root); elsewhere the meeting media tests are skipped.
MEDIA_NETNS := $(shell [ "$$(id -u)" = 0 ] && echo scripts/media-netns)

e2e:
	ENSEMBLE_DATA_DIR=var/test-e2e $(MEDIA_NETNS) $(BIN)/pytest -q e2e

bench: bench-storage bench-chat bench-meet bench-docs

bench-storage: install
	$(BIN)/python bench/storage.py

# Meetings: light WebRTC clients (aiortc) in the network namespace of the browser tests.
bench-meet: install
	$(MEDIA_NETNS) $(BIN)/python bench/meet.py

# Synapse and matrix-nio live in a virtual environment of their own (never in the suite's).
var/synapse-venv/bin/python:
	python3 -m venv var/synapse-venv
	var/synapse-venv/bin/pip install --quiet matrix-synapse matrix-nio

# Docs against Hocuspocus: its server, its SQLite persistence (better-sqlite3, built here against
# Debian's Node headers: nothing is downloaded but npm packages) and the Node clients.
bench-docs: install $(STAMPS)/bench-docs
	$(BIN)/python bench/docs.py
	$(BIN)/python bench/docs_editor.py

$(STAMPS)/bench-docs: bench/docs/package.json bench/docs/package-lock.json
	@mkdir -p $(STAMPS)
	cd bench/docs && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	cd bench/docs/node_modules/better-sqlite3 && npx --yes node-gyp rebuild --release --nodedir=/usr > /dev/null
	@touch $@

bench-chat: install var/synapse-venv/bin/python
	PYTHONPATH=$(CURDIR) var/synapse-venv/bin/python bench/chat.py

clean:
	rm -rf var $(VENV) frontend/node_modules ensemble/static/dist
