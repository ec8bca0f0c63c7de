# lhs-kg: `make help` lists the targets. `make run` and `make test` are the two README commands.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV    ?= .venv
PYTHON  ?= python3
PY      := $(VENV)/bin/python
LHS     := $(VENV)/bin/lhs-kg
RUN_STAMP  := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test
MUTATION_STAMP := $(VENV)/.installed-mutation
HOST    ?= 127.0.0.1
PORT    ?= 5000
PYTEST_ARGS ?=

# apt-get waits up to two minutes for a held dpkg lock, and the whole install is tried 5 times.
APT_TRIES   ?= 5
APT_OPTIONS := -o DPkg::Lock::Timeout=120 -q
SUDO        := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
JAVA_MIN    := 11

.PHONY: help install install-run store run serve test lint typecheck unit unit-engines test-deps browser-deps \
	chromium java virtuoso axe-core mutation bench clean content wheel-smoke

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-14s %s\n", $$1, $$2}'

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(RUN_STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

$(MUTATION_STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[test,mutation]'
	touch $@

install-run: $(RUN_STAMP) ## Create .venv and install what running lhs-kg needs (no test tools)

install: $(TEST_STAMP) ## Create .venv and install lhs-kg with the Python packages the tests need

CONTENT := $(shell find ontology data -type f \( -name '*.ttl' -o -name '*.nt' -o -name '*.rdf' \) -not -path 'data/examples/*' 2>/dev/null)

var/.store-built: $(CONTENT) | $(RUN_STAMP)
	$(LHS) init
	@touch $@

store: var/.store-built ## Build the embedded store from ontology/ and data/ (again when a content file changed)

run: store ## Set up, build the store if needed, and serve the browser on http://$(HOST):$(PORT)
	$(LHS) serve --host $(HOST) --port $(PORT)

# $(call apt_install,PACKAGES): apt-get install, retried while another apt/dpkg holds the lock.
define apt_install
echo "installing $(1) (Debian packages) for the tests"; \
for try in $$(seq 1 $(APT_TRIES)); do \
  $(SUDO) apt-get $(APT_OPTIONS) update \
  && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get $(APT_OPTIONS) install -y $(1) \
  && exit 0; \
  echo "apt-get install $(1) failed (try $$try of $(APT_TRIES)); retrying in 15 s" >&2; sleep 15; \
done; \
echo "ERROR: could not install $(1) with apt-get; install it by hand: apt-get install $(1)" >&2; \
exit 1
endef

chromium: ## Install Debian's Chromium for the browser tests, when missing
	@command -v chromium >/dev/null 2>&1 || { \
	  $(MAKE) --no-print-directory apt-chromium && command -v chromium >/dev/null; }

# The major version of the java on PATH ("1.8.0" is 8), and whether it is new enough for HermiT.
JAVA_MAJOR = java -version 2>&1 | sed -n 's/.* version "\(1\.\)\{0,1\}\([0-9]*\).*/\2/p' | head -n 1
JAVA_OK    = [ "$$($(JAVA_MAJOR))" -ge $(JAVA_MIN) ] 2>/dev/null

java: ## Install a headless Java runtime (11+) for the reasoner (HermiT), when missing or too old
	@$(JAVA_OK) || { \
	  echo "java $(JAVA_MIN)+ not found on PATH (found: $$($(JAVA_MAJOR) || true))"; \
	  $(MAKE) --no-print-directory apt-java && { $(JAVA_OK) || { \
	    echo "ERROR: the java on PATH is still older than $(JAVA_MIN); put" \
	      "/usr/lib/jvm/default-java/bin first on PATH" >&2; exit 1; }; }; }

virtuoso: ## Install Virtuoso open source (virtuoso-t, isql-vt) for the remote-store tests, when missing
	@{ command -v virtuoso-t && command -v isql-vt; } >/dev/null 2>&1 || { \
	  $(MAKE) --no-print-directory apt-virtuoso && command -v virtuoso-t >/dev/null; }

.PHONY: apt-chromium apt-java apt-virtuoso
apt-chromium:
	@$(call apt_install,chromium)
apt-java:
	@$(call apt_install,default-jre-headless)
# Debian's package asks for a DBA password through debconf: non-interactive leaves the default,
# which the tests change at once on their own server (its service is not started in a container)
apt-virtuoso:
	@$(call apt_install,virtuoso-opensource)

node_modules/.package-lock.json: package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || { \
	  echo "ERROR: npm is missing; install Node.js and npm (apt-get install npm)" >&2; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error

axe-core: node_modules/.package-lock.json ## Install axe-core from npm (pinned in package-lock.json)

browser-deps: chromium axe-core ## Install what the browser tests need (chromium, axe-core)

test-deps: $(TEST_STAMP) browser-deps java virtuoso ## Install everything the tests need, failing if something cannot be

content: $(RUN_STAMP) ## Regenerate the generated content files (countries from pycountry, vocabulary shapes, LHS terms)
	$(PY) -m pip install --quiet -e '.[content]'
	$(PY) -m lhs_kg.content.countries
	$(PY) -m lhs_kg.content.vocabularies
	$(PY) -m lhs_kg.content.namespace_module

lint: $(TEST_STAMP) ## ruff check and format check
	$(VENV)/bin/ruff check lhs_kg web tests bench
	$(VENV)/bin/ruff format --check lhs_kg web tests bench

typecheck: $(TEST_STAMP) ## mypy --strict on the engine
	$(VENV)/bin/mypy

# Under `make test` a test whose tool (chromium, Playwright, axe-core, Java, oxigraph, Virtuoso) is missing
# fails with the install command instead of skipping (tests/conftest.py reads this; CI=true too).
unit: export LHS_KG_REQUIRE_TOOLS ?= 1
unit: $(TEST_STAMP) ## Run the test-suite only (no lint, no installs)
	$(PY) -m pytest -n 2 --dist loadfile $(PYTEST_ARGS)

# The page tests again, with the web app's store on each real SPARQL engine (tests/web/conftest.py);
# the store, query, contribution and export tests choose their engines by LHS_KG_TEST_ENGINES.
PAGE_ENGINES ?= oxigraph virtuoso
ENGINE_PAGE_TESTS ?= tests/web/test_browse.py tests/web/test_browse_case_study.py \
	tests/web/test_dashboards.py tests/web/test_search.py tests/web/test_sparql_protocol.py

unit-engines: export LHS_KG_REQUIRE_TOOLS ?= 1
unit-engines: $(TEST_STAMP) ## Run the page tests with the web app on oxigraph serve and Virtuoso
	@for engine in $(PAGE_ENGINES); do echo "== page tests on $$engine"; \
	  LHS_KG_TEST_WEB_ENGINE=$$engine $(PY) -m pytest -n 2 --dist loadfile $(ENGINE_PAGE_TESTS) \
	  || exit 1; done

test: test-deps lint typecheck unit unit-engines ## Install everything the tests need and run the whole suite

# Also part of `make test` (tests/smoke/test_wheel_smoke.py); this runs it alone, step by step.
wheel-smoke: $(TEST_STAMP) ## Build sdist and wheel, install the wheel in a fresh venv, compare its answers with the checkout's
	$(PY) -m tests.smoke.wheel_smoke

BENCHES ?= store validate sparql web contribute export search scale dashboards

bench: $(TEST_STAMP) ## Run the benchmarks (slow; print tables); choose with BENCHES="store web"
	$(PY) -m pip install --quiet -e '.[bench]'
	@for b in $(BENCHES); do echo "== bench.$$b"; $(PY) -m bench.$$b || exit 1; done

# Mutants of the validation rules, the auth checks (reviewer accounts, the SPARQL update token)
# and content negotiation; each mutant runs the fast tests that cover its function only.
MUTATE ?= lhs_kg.validate.* lhs_kg.contributions.reviewers.* web.views.sparql.x__update__* lhs_kg.formats.*
MUTATION_JOBS ?= 2

mutation: $(MUTATION_STAMP) ## Mutation testing with mutmut (slow; not part of make test); prints the kill rate per module
	$(VENV)/bin/mutmut run --max-children $(MUTATION_JOBS) $(foreach m,$(MUTATE),'$(m)')
	@$(VENV)/bin/mutmut results
	@echo "kill rate per module (killed or timed out / mutants checked):"
	@$(VENV)/bin/mutmut results --all true | awk -F': ' '$$2 != "not checked" { \
	  name = $$1; sub(/^ +/, "", name); sub(/__mutmut_[0-9]+$$/, "", name); sub(/\.x[^.]*$$/, "", name); \
	  total[name]++; \
	  if ($$2 == "killed" || $$2 == "timeout") killed[name]++ } \
	  END { for (m in total) printf "  %-32s %4d / %-4d %5.1f %%\n", m, killed[m], total[m], 100 * killed[m] / total[m] }' | sort

clean: ## Remove the virtual environment, the store and caches
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache node_modules mutants
