# lhs-kg: `make help` lists the targets. `make run` and `make test` are the two README commands.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV    ?= .venv
PYTHON  ?= python3
PY      := $(VENV)/bin/python
LHS     := $(VENV)/bin/lhs-kg
STAMP   := $(VENV)/.installed
HOST    ?= 127.0.0.1
PORT    ?= 5000
PYTEST_ARGS ?=

.PHONY: help install store run serve test lint typecheck unit browser-deps bench clean content

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-14s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP) ## Create .venv and install lhs-kg with everything the tests need

CONTENT := $(shell find ontology data -type f \( -name '*.ttl' -o -name '*.nt' -o -name '*.rdf' \) -not -path 'data/examples/*' 2>/dev/null)

var/.store-built: $(CONTENT) | $(STAMP)
	$(LHS) init
	@touch $@

store: var/.store-built ## Build the embedded store from ontology/ and data/ (again when a content file changed)

run: store ## Set up, build the store if needed, and serve the browser on http://$(HOST):$(PORT)
	$(LHS) serve --host $(HOST) --port $(PORT)

browser-deps: ## Install Debian's Chromium for the browser tests, and axe-core from npm, when missing
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing chromium (Debian package) for the browser tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	  || echo "WARNING: could not install chromium; browser tests will be skipped"; }
	@test -f node_modules/axe-core/axe.min.js || { \
	  command -v npm >/dev/null 2>&1 && npm install --silent --no-audit --no-fund axe-core@4 >/dev/null \
	  || echo "WARNING: could not install axe-core; the accessibility scan will be skipped"; }

content: $(STAMP) ## Regenerate the generated content files (countries from pycountry, vocabulary shapes)
	$(PY) -m pip install --quiet -e '.[content]'
	$(PY) -m lhs_kg.content.countries
	$(PY) -m lhs_kg.content.vocabularies

lint: $(STAMP) ## ruff check and format check
	$(VENV)/bin/ruff check lhs_kg web tests bench
	$(VENV)/bin/ruff format --check lhs_kg web tests bench

typecheck: $(STAMP) ## mypy --strict on the engine
	$(VENV)/bin/mypy

unit: $(STAMP) ## Run the test-suite only (no lint, no installs)
	$(PY) -m pytest -n 2 --dist loadfile $(PYTEST_ARGS)

test: $(STAMP) browser-deps lint typecheck unit ## Install everything the tests need and run the whole suite

BENCHES ?= store validate sparql web contribute export

bench: $(STAMP) ## Run the benchmarks (slow; print tables); choose with BENCHES="store web"
	$(PY) -m pip install --quiet -e '.[bench]'
	@for b in $(BENCHES); do echo "== bench/$$b.py"; $(PY) bench/$$b.py || exit 1; done

clean: ## Remove the virtual environment, the store and caches
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache node_modules
