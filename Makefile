# Set-up and everyday commands. `make serve` and `make test` work on a fresh clone
# with only Python 3.11, make, npm and apt available.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STORE  ?= store
HOST   ?= 127.0.0.1
PORT   ?= 8080

.PHONY: install serve test build validate lint clean browser-deps bench

$(BIN)/sozialgraph: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(BIN)/sozialgraph

build: install
	$(BIN)/sozialgraph build --store $(STORE)

serve: build
	$(BIN)/sozialgraph serve --store $(STORE) --host $(HOST) --port $(PORT)

validate: install
	$(BIN)/sozialgraph validate

test: install
	$(BIN)/python -m pytest -q

lint: install
	$(BIN)/pip install --quiet ruff
	$(BIN)/ruff check server tests

clean:
	rm -rf $(VENV) $(STORE) node_modules server/static/vendor
