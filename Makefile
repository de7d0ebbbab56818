# Two commands on a fresh machine (Python 3.11 + git):
#   make demo   set up .venv and compare the shipped combined and split teams
#   make test   set up .venv and run the whole test suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test test-slow venv bench findings clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(BIN)/hiresim run scenarios/combined.yaml scenarios/split.yaml

test: $(STAMP)
	$(BIN)/python -m pytest

# The long statistical checks (validation against queueing theory, scenario findings).
test-slow: $(STAMP)
	$(BIN)/python -m pytest -m "slow or validation"

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_core.py

# Regenerate scenarios/README.md and scenarios/findings.json from real runs.
findings: $(STAMP)
	$(BIN)/python scripts/scenario_findings.py

clean:
	rm -rf $(VENV) .pytest_cache
