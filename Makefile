# Two commands on a fresh machine: `make run` and `make test`. Both create .venv from requirements.lock.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test ui bench bench-smoke lint lock install-check clean

$(STAMP): pyproject.toml setup.py requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/qfin run

test: $(STAMP)
	$(BIN)/pytest

# The Dagster UI: `dg dev` on 127.0.0.1:3000 (QFIN_RAW_DIR, QFIN_WAREHOUSE, DAGSTER_HOME apply); stops on SIGTERM.
ui: $(STAMP)
	$(BIN)/qfin ui

bench: $(STAMP)
	$(BIN)/python -m benchmarks.run

bench-smoke: $(STAMP)
	$(BIN)/python -m benchmarks.run --smoke

lint: $(STAMP)
	$(BIN)/ruff check .

# Regenerate the lock after changing dependencies in pyproject.toml (needs network to PyPI).
lock: $(STAMP)
	$(BIN)/pip install --quiet uv && $(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 -o requirements.lock

# `pip install .` (not editable, dependencies from the index) into an empty venv, then `qfin run` and a query
# from a folder outside the checkout. tests/test_install.py checks the same install offline on every `make test`.
install-check:
	tmp=$$(mktemp -d) && $(PYTHON) -m venv $$tmp/venv \
	&& $$tmp/venv/bin/pip install --quiet --disable-pip-version-check . \
	&& mkdir $$tmp/raw && cp raw/* $$tmp/raw/ && cd $$tmp \
	&& QFIN_RAW_DIR=$$tmp/raw QFIN_WAREHOUSE=$$tmp/wh/qfin.duckdb $$tmp/venv/bin/qfin run \
	&& $$tmp/venv/bin/qfin query --warehouse $$tmp/wh/qfin.duckdb "select count(*) as mart_quarterly_rows from mart_quarterly" \
	&& rm -rf $$tmp

clean:
	rm -rf $(VENV) build warehouse/*.duckdb warehouse/*.wal warehouse/.dagster
