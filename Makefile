# Two commands on a fresh machine: `make demo` (install + run the demo) and `make test`;
# `make lint` runs the code checks that CI runs beside the tests.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint install bench clean

$(STAMP): pyproject.toml constraints.txt tests/references.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	# Independent references of the tests (pycanon for k, l and t); see tests/references.txt.
	$(BIN)/python -m pip install --quiet --no-deps -r tests/references.txt
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/datanuri demo

test: $(STAMP)
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check datanuri tests benchmarks
	$(BIN)/ruff format --check datanuri tests benchmarks
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python benchmarks/ingest.py

clean:
	rm -rf $(VENV) .datanuri .pytest_cache
