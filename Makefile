# Two commands on a fresh machine (Python 3.11 + git):
#   make demo   set up .venv and compare the shipped combined and split teams
#   make test   set up .venv and run the whole test suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# The simulation core that setup.py compiles with mypyc: an edit rebuilds it (about a
# minute); meanwhile hiresim runs the edited sources (HIRESIM_PURE=1 forces that).
CORE   := $(wildcard src/hiresim/model/*.py) src/hiresim/random_streams.py setup.py

.PHONY: demo test test-slow venv bench bench-peers bench-scale bench-parallel findings clean

$(STAMP): pyproject.toml $(CORE)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/hiresim --version   # says whether the simulation core was compiled
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

# hiresim vs Ciw vs bare SimPy on M/M/c, and the shipped scenarios (Ciw: benchmark only).
bench-peers: $(STAMP)
	$(BIN)/python -m pip install --quiet ciw
	$(BIN)/python benchmarks/bench_peers.py

# Time per candidate and memory as the plan grows 1x, 4x, 16x (about 10 minutes).
bench-scale: $(STAMP)
	$(BIN)/python benchmarks/bench_scale.py

# Serial vs worker processes vs Dask, and memory against replications.
bench-parallel: $(STAMP)
	$(BIN)/python benchmarks/bench_parallel.py

# Regenerate scenarios/README.md and scenarios/findings.json from real runs.
findings: $(STAMP)
	$(BIN)/python scripts/scenario_findings.py

clean:
	rm -rf $(VENV) .pytest_cache build src/hiresim_core__mypyc*.so src/hiresim/_compiled.json
	find src -name '*.so' -delete
