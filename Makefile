# Two commands on a fresh machine (Python 3.11 + git):
#   make demo   set up .venv and compare the shipped combined and split teams
#   make test   set up .venv and run the whole test suite
# .venv is an editable install: the simulation core runs from its Python sources, so an
# edit needs nothing rebuilt. `make fast` builds a wheel with the core compiled by mypyc
# (needs a C compiler; same results, about 1.4x faster) into .venv-fast, which the
# benchmarks use and which serves big runs: .venv-fast/bin/hiresim run ...
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
FAST   ?= .venv-fast
FBIN   := $(FAST)/bin
FSTAMP := $(FAST)/.installed
WHEELS := build/wheel
# The wheel is a copy of the whole package: any change to it rebuilds .venv-fast.
PACKAGE := $(shell find src/hiresim -name '*.py') pyproject.toml setup.py README.md

.PHONY: demo test test-slow venv fast bench bench-peers bench-scale bench-parallel findings clean

$(STAMP): pyproject.toml setup.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	find src -name '*.so' -delete        # compiled leftovers would shadow the sources
	rm -f src/hiresim/_compiled.json
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

$(FSTAMP): $(PACKAGE)
	test -x $(FBIN)/python || $(PYTHON) -m venv $(FAST)
	$(FBIN)/python -m pip install --quiet --upgrade pip
	rm -rf build                         # no module left over from an earlier build
	$(FBIN)/python -m pip wheel --quiet --no-deps -w $(WHEELS) .
	$(FBIN)/python -m pip uninstall --quiet --yes hiresim 2>/dev/null || true
	$(FBIN)/python -m pip install --quiet "$$(ls $(WHEELS)/hiresim-*.whl)[dask]"
	$(FBIN)/hiresim --version            # says whether the core was compiled
	touch $(FSTAMP)

fast: $(FSTAMP)

demo: $(STAMP)
	$(BIN)/hiresim run scenarios/combined.yaml scenarios/split.yaml

test: $(STAMP)
	$(BIN)/python -m pytest

# The long statistical checks (validation against queueing theory, scenario findings).
test-slow: $(STAMP)
	$(BIN)/python -m pytest -m "slow or validation"

# The benchmarks measure the compiled core (.venv-fast). The same script on the sources:
# .venv/bin/python benchmarks/bench_core.py
bench: $(FSTAMP)
	$(FBIN)/python benchmarks/bench_core.py

# hiresim vs Ciw vs bare SimPy on M/M/c, and the shipped scenarios (Ciw: benchmark only).
bench-peers: $(FSTAMP)
	$(FBIN)/python -m pip install --quiet ciw
	$(FBIN)/python benchmarks/bench_peers.py

# Time per candidate and memory as the plan grows 1x, 4x, 16x (about 5 minutes compiled).
bench-scale: $(FSTAMP)
	$(FBIN)/python benchmarks/bench_scale.py

# Serial vs worker processes vs Dask, and memory against replications.
bench-parallel: $(FSTAMP)
	$(FBIN)/python benchmarks/bench_parallel.py

# Regenerate scenarios/README.md and scenarios/findings.json from real runs.
findings: $(STAMP)
	$(BIN)/python scripts/scenario_findings.py

clean:
	rm -rf $(VENV) $(FAST) .pytest_cache build
	find src -name '*.so' -delete
	rm -f src/hiresim/_compiled.json
