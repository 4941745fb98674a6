# One-command set-up: `make run` serves the app, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
VENDOR_FILES := node_modules/socket.io-client/dist/socket.io.min.js \
                node_modules/axe-core/axe.min.js

.PHONY: run test bench setup db vendor lint clean

run: setup db
	HOST=$(HOST) PORT=$(PORT) $(BIN)/python -m workshop.serve

test: setup
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: setup db
	$(BIN)/python -m bench $(BENCH_ARGS)

setup: $(VENV)/.stamp-deps static/vendor/.stamp

db: setup
	$(BIN)/workshop init-db

lint: setup
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

$(VENV)/.stamp-deps: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "workshop needs Python 3.11 or newer; set PYTHON=python3.11")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

static/vendor/.stamp: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is missing: install Node.js 18+ and npm"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p static/vendor
	cp $(VENDOR_FILES) static/vendor/
	touch $@

clean:
	rm -rf $(VENV) node_modules static/vendor .pytest_cache
