# Two commands on a fresh machine: `make demo` (install + run the demo) and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test install bench clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	# pycanon is the tests' independent reference for k, l and t; its own pins would downgrade
	# numpy and pandas, and the functions the tests use work without them.
	$(BIN)/python -m pip install --quiet --no-deps pycanon==1.3.6
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/datanuri demo

test: $(STAMP)
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python benchmarks/ingest.py

clean:
	rm -rf $(VENV) .datanuri .pytest_cache
