# Sentinelle — the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PG_URL ?= postgres://postgres@127.0.0.1:5432/test

.PHONY: run test test-sqlite test-postgres bench load build lint format install install-dev demo clean golden

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@ $(VENV)/.linkkit-built

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	touch $(VENV)/.installed $(VENV)/.linkkit-built $@

# linkkit's hot path, compiled by mypyc at install (setup.py): rebuilt when its sources change.
# Without a C compiler the install succeeds uncompiled and linkkit runs from its sources.
LINKKIT_SOURCES := $(filter-out %/extract.py %/__init__.py,$(wildcard src/sentinelle/linkkit/*.py)) setup.py
$(VENV)/.linkkit-built: $(LINKKIT_SOURCES) | $(VENV)/.installed
	$(BIN)/pip install --quiet --no-deps -e .
	@$(BIN)/python -c 'import sentinelle.linkkit as k; print("linkkit:", k.implementation())'
	touch $@

build: $(VENV)/.linkkit-built

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

demo: $(VENV)/.installed $(VENV)/.linkkit-built
	$(BIN)/python -m sentinelle migrate --no-input
	$(BIN)/python -m sentinelle load_demo_data

## Run the service on the embedded default (SQLite + file outbox) with demo data.
run: demo
	@$(BIN)/python -m sentinelle collectstatic --no-input --verbosity 0
	@echo "Starting the scheduler, one task worker and the web server on http://$(HOST):$(PORT)/ (Ctrl-C stops all)"
	@trap 'kill 0' INT TERM EXIT; \
	  $(BIN)/python -m sentinelle run_scheduler & \
	  $(BIN)/python -m sentinelle db_worker --no-reload --interval 1 & \
	  SENTINELLE_DEBUG=$${SENTINELLE_DEBUG:-true} $(BIN)/python -m sentinelle runserver --noreload $(HOST):$(PORT)

## The whole suite on SQLite, then on PostgreSQL when one answers, then the task tests on RQ (Redis).
test: $(VENV)/.installed-dev $(VENV)/.linkkit-built
	@bash scripts/test.sh

## The benchmarks: linkkit against its peers, notice building and delivery, link checks, the catalogue, dashboards.
bench: $(VENV)/.installed-dev $(VENV)/.linkkit-built
	$(BIN)/python bench/linkkit.py
	$(BIN)/python bench/notices.py  # PostgreSQL: BENCH_NOTICES_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/sentinelle_bench_notices, dropped and made again)
	$(BIN)/python bench/checks.py
	$(BIN)/python bench/discovery.py
	$(BIN)/python bench/investigations.py
	$(BIN)/python bench/catalogue.py --works 20000 --catalogue 200000
	$(BIN)/python bench/dashboards.py  # PostgreSQL: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/sentinelle_bench_dashboards)

## The load test (not in CI): 200 members for 5 minutes against gunicorn + PostgreSQL + RQ + Redis here.
load: $(VENV)/.installed-dev $(VENV)/.linkkit-built
	$(BIN)/pip install --quiet -e '.[dev,bench,load]'
	$(BIN)/python bench/load.py $(LOAD_ARGS)

## Regenerate the notices' golden files after a deliberate change of an output (review the diff).
golden: $(VENV)/.installed-dev $(VENV)/.linkkit-built
	SENTINELLE_UPDATE_GOLDEN=1 $(BIN)/pytest -q -p no:randomly tests/notices/test_golden.py
	git status --short tests/notices/golden

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests bench setup.py
	$(BIN)/ruff format --check src tests bench setup.py
	$(BIN)/mypy

format: $(VENV)/.installed-dev
	$(BIN)/ruff format src tests bench setup.py
	$(BIN)/ruff check --fix src tests bench setup.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache build
	rm -f src/sentinelle/linkkit/*.so src/sentinelle/linkkit/_compiled.json
