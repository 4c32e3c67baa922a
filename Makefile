# Set-up and everyday commands. `make serve` and `make test` work on a fresh clone
# with only Python 3.11, make, npm and apt available.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STORE  ?= store
HOST   ?= 127.0.0.1
PORT   ?= 8080

.PHONY: install assets serve test test-fast build validate lint clean browser-deps proxy-deps virtuoso-deps bench bench-smoke loadtest conformance

$(BIN)/sozialgraph: pyproject.toml tools/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]' -e ./tools
	touch $@

install: $(BIN)/sozialgraph

# The query UI's YASGUI and the charts' Observable Plot and d3 (/explore) come from the npm
# registry (pinned in package-lock.json) and are served from the app's own static folder:
# nothing is fetched from a CDN at run time.
VENDOR := server/sozialgraph/web/static/vendor
$(VENDOR)/yasgui.min.js $(VENDOR)/plot.umd.min.js &: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p $(VENDOR)
	cp node_modules/@zazuko/yasgui/build/yasgui.min.js node_modules/@zazuko/yasgui/build/yasgui.min.css $(VENDOR)/
	cp node_modules/d3/dist/d3.min.js node_modules/@observablehq/plot/dist/plot.umd.min.js $(VENDOR)/
	touch $(VENDOR)/yasgui.min.js $(VENDOR)/plot.umd.min.js

assets: $(VENDOR)/yasgui.min.js $(VENDOR)/plot.umd.min.js

# The browser test drives Debian's chromium with Playwright (no browser download).
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq chromium; fi; }

# The documented deployment puts Debian's nginx in front of `sozialgraph serve`
# (deploy/nginx/); tests/test_proxy.py runs it on loopback as the test's own process.
proxy-deps:
	@command -v nginx >/dev/null 2>&1 || test -x /usr/sbin/nginx || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq nginx; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq nginx; fi; }

# tests/test_virtuoso.py runs Debian's Virtuoso Open Source 7 on loopback ports of its own.
# Only the binaries: virtuoso-opensource-7-bin has no service, so nothing starts or holds
# 1111/8890 (the full virtuoso-opensource-7 package brings an init script and a database in
# /var/lib, and asks for a dba password through debconf).
virtuoso-deps:
	@command -v virtuoso-t >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq virtuoso-opensource-7-bin; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq virtuoso-opensource-7-bin; fi; }

build: install
	$(BIN)/sozialgraph build --store $(STORE)

serve: build assets
	$(BIN)/sozialgraph serve --store $(STORE) --host $(HOST) --port $(PORT)

validate: install
	$(BIN)/sozialgraph validate

test: install assets browser-deps proxy-deps virtuoso-deps
	$(BIN)/python -m pytest -q

# Everything but the tests marked slow (builds at scale, installs, engines compared) or e2e
# (real servers, a real browser): the quick loop while working.
test-fast: install assets
	$(BIN)/python -m pytest -q -m "not slow and not e2e"

lint: install
	$(BIN)/pip install --quiet ruff
	$(BIN)/ruff check server tools tests

clean:
	rm -rf $(VENV) $(STORE) node_modules $(VENDOR)

# The benchmark: this endpoint against Oxigraph's server, rdflib-endpoint and pyoxigraph in
# process, on synthetic data of each size (over an hour at 10^6). It fills the generated regions
# of docs/benchmarks.md (the prose around them is written by hand) and writes benchmarks.svg;
# build/bench keeps its data and results.json (`sozialgraph bench --render` writes it again).
BENCH_SIZES ?= 1e5,1e6
BENCH_WORK  ?= build/bench
BENCH_FLAGS ?=
bench: install
	$(BIN)/sozialgraph bench --sizes $(BENCH_SIZES) --work $(BENCH_WORK) --out docs/benchmarks.md $(BENCH_FLAGS)

# A tiny end-to-end run of the same harness (what CI runs, inside tests/test_bench.py): its report
# starts afresh from docs/benchmarks.md's prose, with the smoke run's figures.
bench-smoke: install
	rm -f $(BENCH_WORK)-smoke/benchmarks.md
	$(BIN)/sozialgraph bench --smoke --work $(BENCH_WORK)-smoke --out $(BENCH_WORK)-smoke/benchmarks.md

# /explore in Chromium: the time from navigation to every chart drawn, cold and warm, against
# `sozialgraph serve` over the project's store (docs/explore-speed.md; about a minute).
.PHONY: bench-explore
bench-explore: install assets browser-deps
	$(BIN)/python -m sozialgraph_bench.explore --out docs/explore-speed.md

# Load and faults against `sozialgraph serve` on loopback (docs/reliability.md): 10,000 requests
# of curated queries, pages, dumps and validations at 16 clients, fair sharing, a killed worker.
loadtest: install
	$(BIN)/python -m sozialgraph_bench.loadtest --out docs/reliability.md

# The W3C SPARQL and SHACL suites (from ../shared/w3c, or $SOZIALGRAPH_W3C) against this endpoint,
# sozialgraph validate, Oxigraph's server and pySHACL: the counts in docs/conformance.md (about
# two minutes). The same suites run as tests in `make test` (tests/test_w3c_*.py).
conformance: install
	$(BIN)/sozialgraph conformance --out docs/conformance.md
