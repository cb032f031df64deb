# Two commands on a fresh machine: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000
# Links in e-mails and the profile's calendar link: the address the server is run at (override for a proxy).
export BASE_URL ?= http://$(HOST):$(PORT)
# `make run` is the development server; production sets TRACKER_ENV=production and SECRET_KEY.
export TRACKER_ENV ?= development

.PHONY: run serve install install-test system-deps browser-deps migrate seed demo scheduler worker test test-sqlite test-postgres bench clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-test: requirements.txt requirements-test.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-test.txt
	touch $@

$(VENV)/.installed-bench: requirements-bench.txt $(VENV)/.installed-test
	$(BIN)/pip install --quiet -r requirements-bench.txt
	touch $@

install: $(VENV)/.installed system-deps

install-test: $(VENV)/.installed-test system-deps browser-deps

# WeasyPrint needs Pango (and HarfBuzz-subset to embed font subsets); the report tests read PDFs with poppler's tools;
# backup and restore on PostgreSQL run pg_dump, pg_restore and psql.
system-deps:
	@missing=""; \
	ldconfig -p | grep -q libpango-1.0 || missing="$$missing libpango-1.0-0 libpangoft2-1.0-0"; \
	ldconfig -p | grep -q libharfbuzz-subset || missing="$$missing libharfbuzz-subset0"; \
	command -v pdftotext >/dev/null || missing="$$missing poppler-utils"; \
	command -v pg_dump >/dev/null && command -v psql >/dev/null || missing="$$missing postgresql-client"; \
	if [ -n "$$missing" ]; then \
	  echo "Cài gói hệ thống:$$missing"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing) >/dev/null; \
	fi

# The browser test drives Debian's Chromium (no browser download: the network is closed).
browser-deps:
	@command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)

migrate: install
	$(FLASK) db upgrade

seed: migrate
	$(FLASK) tracker load-plans
	$(FLASK) tracker demo

run: seed
	@echo "Mở $(BASE_URL) — tài khoản mẫu: xem README.md"
	$(FLASK) tracker scheduler --background-with-server & \
	$(FLASK) tracker worker --background-with-server & \
	$(FLASK) run --host $(HOST) --port $(PORT)

scheduler: install
	$(FLASK) tracker scheduler

worker: install
	$(FLASK) tracker worker

test: install-test
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The HTTP load and the report PDF first: the figures the issue's goals are judged on.
bench: install-test $(VENV)/.installed-bench
	$(BIN)/python bench/load.py
	$(BIN)/python bench/report.py
	$(BIN)/python bench/pages.py --dataset seed
	$(BIN)/python bench/pages.py
	$(BIN)/python bench/baseline.py
	$(BIN)/python bench/offload.py
	$(BIN)/python bench/docx_import.py
	$(BIN)/python bench/sign_in.py

clean:
	rm -rf $(VENV) instance/tracker.sqlite3 tests/artifacts
