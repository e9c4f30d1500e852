# Two commands on a fresh machine: `make run` and `make test`. Both create .venv from requirements.lock.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test ui bench bench-smoke lint lock clean

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/qfin run

test: $(STAMP)
	$(BIN)/pytest

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

clean:
	rm -rf $(VENV) warehouse/*.duckdb warehouse/*.wal warehouse/.dagster
