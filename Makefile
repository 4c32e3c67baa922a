# Set-up and everyday commands. `make serve` and `make test` work on a fresh clone
# with only Python 3.11, make, npm and apt available.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STORE  ?= store
HOST   ?= 127.0.0.1
PORT   ?= 8080

.PHONY: install assets serve test build validate lint clean browser-deps bench

$(BIN)/sozialgraph: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(BIN)/sozialgraph

# The query UI's YASGUI comes from the npm registry (pinned in package-lock.json) and is served
# from the app's own static folder: nothing is fetched from a CDN at run time.
VENDOR := server/static/vendor
$(VENDOR)/yasgui.min.js: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p $(VENDOR)
	cp node_modules/@zazuko/yasgui/build/yasgui.min.js node_modules/@zazuko/yasgui/build/yasgui.min.css $(VENDOR)/

assets: $(VENDOR)/yasgui.min.js

# The browser test drives Debian's chromium with Playwright (no browser download).
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq chromium; fi; }

build: install
	$(BIN)/sozialgraph build --store $(STORE)

serve: build assets
	$(BIN)/sozialgraph serve --store $(STORE) --host $(HOST) --port $(PORT)

validate: install
	$(BIN)/sozialgraph validate

test: install assets browser-deps
	$(BIN)/python -m pytest -q

lint: install
	$(BIN)/pip install --quiet ruff
	$(BIN)/ruff check server tests

clean:
	rm -rf $(VENV) $(STORE) node_modules server/static/vendor
