# Two commands do everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
AXE    := tests/browser/node_modules/axe-core/axe.min.js
export FLASK_APP := pb

.PHONY: run test test-postgres install translations db extract-messages update-messages browser-deps clean

run: install instance/config.py translations db
	$(BIN)/flask run --host 127.0.0.1 --port $(PORT)

test: install translations browser-deps
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The same suite on PostgreSQL (CI has a server on 127.0.0.1:5432, trust auth). The counting
# tests (tests/counting/) use no database and already ran in `make test`.
test-postgres: install translations
	TEST_DATABASE_URL=$${TEST_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test} \
		$(BIN)/python -m pytest -m "not browser" --ignore=tests/counting $(PYTEST_ARGS)

install: $(VENV)/.installed

$(VENV)/.installed: setup.cfg pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[test]" \
		--config-settings editable_mode=compat  # a plain path entry: Python starts 15 ms sooner
	touch $@

# A random secret key for this machine, kept out of the repository.
instance/config.py:
	mkdir -p instance
	$(BIN)/python -c "import secrets; print('SECRET_KEY = %r' % secrets.token_hex(32))" > $@

translations: install
	$(BIN)/pybabel compile -d translations --statistics 2>&1 | grep -v '^compiling' || true
	@ls translations/*/LC_MESSAGES/messages.mo >/dev/null

# Create or upgrade the database in place, then load the demo data if it is empty.
db: install instance/config.py
	$(BIN)/flask db upgrade
	$(BIN)/flask load-demo --if-empty

# After changing strings: re-extract and merge into the catalogs, then translate the new entries.
extract-messages: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k _ln:1,2 -k lazy_ngettext:1,2 -o translations/messages.pot --no-location --omit-header --sort-output .

update-messages: extract-messages
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-wrap --ignore-obsolete
	$(BIN)/python translations/fill_english.py

# axe-core for the accessibility checks in the browser tests; without npm those tests skip.
browser-deps: $(AXE)

$(AXE): tests/browser/package.json
	@if command -v npm >/dev/null 2>&1; then \
		npm install --silent --no-audit --no-fund --prefix tests/browser && touch $(AXE); \
	else echo "npm not found: browser tests will be skipped"; fi

clean:
	rm -rf $(VENV) tests/browser/node_modules translations/*/LC_MESSAGES/*.mo
