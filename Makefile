# kinerja: two commands do all the set-up on a fresh clone (Python 3.11+, pip, make):
#   make reports   install from the lock, run every notebook on every bundled dataset and year,
#                  then the policy briefs (Bahasa Indonesia and English, HTML and PDF); reports/index.html
#   make test      install from the lock (with test extras) and run the whole suite
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DATA   ?= all
JOBS   ?= 2
RUN_STAMP := $(VENV)/.kinerja-run
DEV_STAMP := $(VENV)/.kinerja-dev
LINT_PATHS := lib tests tools benchmarks notebooks

.PHONY: help venv reports test test-fast lint format bench data template lock kernel clean-reports clean

help: ## List every target
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  %-14s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(BIN)/python:
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "kinerja needs Python 3.11 or newer"'
	$(PYTHON) -m venv $(VENV)

$(RUN_STAMP): requirements.lock pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name kinerja --display-name "Python (kinerja)" > /dev/null
	@touch $@

$(DEV_STAMP): requirements-dev.lock $(RUN_STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.lock
	@touch $@

venv: $(RUN_STAMP) ## Create .venv and install the locked runtime packages and the Jupyter kernel

kernel: $(RUN_STAMP) ## Register the 'kinerja' Jupyter kernel in .venv
	$(BIN)/python -m ipykernel install --sys-prefix --name kinerja --display-name "Python (kinerja)"

reports: $(RUN_STAMP) ## Run every notebook on every bundled dataset x year, then the briefs (id, en; HTML+PDF); reports/index.html
	$(BIN)/kinerja run --data $(DATA) --out reports --jobs $(JOBS) --overwrite

test: $(DEV_STAMP) ## Run the whole test suite (unit, reference values, notebooks, nbval)
	$(BIN)/python -m pytest -n $(JOBS) --dist loadfile

test-fast: $(DEV_STAMP) ## Run the tests except the slow and notebook ones
	$(BIN)/python -m pytest -n $(JOBS) --dist loadfile -m "not slow and not notebooks" tests lib

lint: $(DEV_STAMP) ## Check code style: ruff check and ruff format --check (CI runs this)
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/ruff format --check $(LINT_PATHS)

format: $(DEV_STAMP) ## Fix what ruff can fix and reformat the code
	$(BIN)/ruff check --fix $(LINT_PATHS)
	$(BIN)/ruff format $(LINT_PATHS)

bench: $(DEV_STAMP) ## Run the speed and memory benchmarks (writes benchmarks/results/)
	$(BIN)/python benchmarks/bench_agreement.py
	$(BIN)/python benchmarks/bench_io.py
	$(BIN)/python benchmarks/bench_compare.py
	$(BIN)/python benchmarks/bench_notebooks.py --reports
	$(BIN)/python benchmarks/bench_gtheory.py
	$(BIN)/python benchmarks/bench_sensitivity.py
	$(BIN)/python benchmarks/bench_varcomp.py
	$(BIN)/python benchmarks/bench_effects.py

data: $(RUN_STAMP) ## Regenerate every bundled dataset (data/batu, data/contoh) from its record (fixed seeds)
	$(BIN)/python -m kinerja.data.synth --dataset all

template: $(RUN_STAMP) ## Regenerate data/templates/kinerja_template.xlsx and the data dictionary
	$(BIN)/python -m kinerja.data.template

lock: ## Re-resolve dependencies: requirements*.lock and environment.yml (needs network)
	$(PYTHON) tools/lock.py

clean-reports: ## Delete generated reports
	rm -rf reports/*/

clean: clean-reports ## Delete .venv and caches
	rm -rf $(VENV) .pytest_cache .hypothesis
