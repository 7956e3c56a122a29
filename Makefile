# Infuse: the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9
CSS := src/infuse/web/static/infuse/infuse.css
PO_FILES := $(wildcard src/infuse/locale/*/LC_MESSAGES/django.po)
MO_FILES := $(PO_FILES:.po=.mo)
PYTEST_ARGS ?= -n 2 --durations=25

export INFUSE_DATA_DIR ?= $(CURDIR)/var

.PHONY: help setup run test test-sqlite test-postgres lint typecheck format messages bench load clean

help:
	@echo "make run    set everything up and serve Infuse with a demonstration workspace"
	@echo "make test   set everything up and run every test, lint and type check"
	@echo "make bench  run the benchmarks in benchmarks/"

# The installed packages' bytecode is compiled at install: where Python may not write it
# (PYTHONDONTWRITEBYTECODE, a read-only environment) every process would otherwise compile each
# installed module it imports, which made `infuse manage check` take 9.6 s instead of 3.8 s on
# the 2-core machine. The environment is rebuilt when this file's recipe changes.
$(BIN)/.installed: requirements.lock pyproject.toml Makefile
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"
	$(BIN)/uv pip sync --quiet --compile-bytecode --python $(BIN)/python requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(CSS): node_modules/.installed $(wildcard src/infuse/web/scss/*.scss)
	npm run --silent build

%.mo: %.po $(BIN)/.installed
	$(BIN)/pybabel compile --statistics -D django -i $< -o $@

setup: $(BIN)/.installed node_modules/.installed $(CSS) $(MO_FILES)

run: setup
	$(BIN)/infuse init
	$(BIN)/infuse demo
	$(BIN)/infuse run

lint: setup
	$(BIN)/ruff check src tests benchmarks loadtest scripts
	$(BIN)/ruff format --check src tests benchmarks loadtest scripts

typecheck: setup
	$(BIN)/mypy

format: setup
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks

# Regenerate the Welsh catalogue after adding strings (needs GNU gettext), then translate.
messages: setup
	cd src/infuse && ../../$(BIN)/infuse manage makemessages -l cy --no-obsolete --add-location file

test: setup
	bash scripts/ensure-system-packages.sh
	$(MAKE) lint typecheck
	$(MAKE) test-sqlite
	$(MAKE) test-postgres

test-sqlite: setup
	$(BIN)/pytest -p no:cacheprovider $(PYTEST_ARGS)

test-postgres: setup
	bash scripts/with-postgres.sh $(BIN)/pytest -p no:cacheprovider $(PYTEST_ARGS)

load: setup
	BIN=$(BIN) bash scripts/load.sh

bench: setup
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) node_modules $(CSS) $(MO_FILES) .pytest_cache .mypy_cache .ruff_cache
