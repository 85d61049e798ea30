# Two entry points for a fresh machine: `make run` (the dashboard) and `make test`.
# Each creates .venv with the machine's python3 (3.11) and installs what it needs.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

.PHONY: install run test bench clean
install: $(STAMP)

run: $(STAMP)
	$(BIN)/chainsim dashboard --scenario baseline

test: $(STAMP)
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python -m benchmarks.engine

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
