# One-command set-up: `make run` serves the app, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
VENDOR_FILES := node_modules/socket.io-client/dist/socket.io.min.js \
                node_modules/axe-core/axe.min.js
CATALOGS := $(wildcard workshop/translations/*/LC_MESSAGES/messages.po)

.PHONY: run test bench setup db vendor lint clean translations

run: setup db
	HOST=$(HOST) PORT=$(PORT) $(BIN)/python -m workshop.serve

# The import contracts (pyproject.toml, docs/ARCHITECTURE.md) first: a broken layer fails fast.
# Test files are shared out whole between PYTEST_WORKERS processes (a file's server and browser
# fixtures are made once); PYTEST_WORKERS=0 runs everything in this process.
PYTEST_WORKERS ?= 2
test: setup
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

bench: setup db
	$(BIN)/python -m bench $(BENCH_ARGS)

setup: $(VENV)/.stamp-deps static/vendor/.stamp $(CATALOGS:.po=.mo)

db: setup
	$(BIN)/workshop init-db

lint: setup
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/lint-imports --no-cache

$(VENV)/.stamp-deps: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "workshop needs Python 3.11 or newer; set PYTHON=python3.11")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# Compiled catalogs are not committed: each .mo is built from its .po (the .mo is the stamp).
workshop/translations/%/LC_MESSAGES/messages.mo: workshop/translations/%/LC_MESSAGES/messages.po $(VENV)/.stamp-deps
	$(BIN)/pybabel compile --statistics -d workshop/translations -l $*

# After changing user-facing text: collect the marked strings and add new ones to each
# catalog (then translate them; tests/test_i18n.py fails while any is missing).
translations: $(VENV)/.stamp-deps
	$(BIN)/pybabel extract -F babel.cfg -k lazy_gettext -o workshop/translations/messages.pot --project workshop --sort-by-file .
	$(BIN)/pybabel update -i workshop/translations/messages.pot -d workshop/translations --ignore-obsolete --no-fuzzy-matching

static/vendor/.stamp: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is missing: install Node.js 18+ and npm"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p static/vendor
	cp $(VENDOR_FILES) static/vendor/
	touch $@

clean:
	rm -rf $(VENV) node_modules static/vendor .pytest_cache
