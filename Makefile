# Two commands do everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
# Test processes (pytest-xdist): most tests wait on servers they start, so more than the two
# cores. TEST_WORKERS=0 runs the suite in this one process.
TEST_WORKERS ?= 3
AXE    := tests/browser/node_modules/axe-core/axe.min.js
SITE_LOCK := requirements/site.txt
TEST_LOCK := requirements/test.txt
PIP    := $(BIN)/python -m pip --quiet --disable-pip-version-check
export FLASK_APP := pb

.PHONY: run worker test test-postgres lint lock install install-site install-test translations db vote-key \
	extract-messages update-messages browser-deps clean

# The site, and beside it a worker for its background jobs (imports, closing and publishing
# votes), which stops with it.
run: install-site instance/config.py vote-key translations db
	$(BIN)/flask worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	$(BIN)/flask run --host 127.0.0.1 --port $(PORT)

# A worker on its own, with the environment's settings (DATABASE_URL, PB_JOBS_QUEUE...): the
# README's production section runs one or more beside the app servers.
worker: install-site instance/config.py vote-key translations db
	$(BIN)/flask worker

test: install-test translations browser-deps
	$(BIN)/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

# The same suite on PostgreSQL (CI has a server on 127.0.0.1:5432, trust auth). The counting
# tests (tests/counting/) use no database and already ran in `make test`.
test-postgres: install-test translations
	TEST_DATABASE_URL=$${TEST_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test} \
		$(BIN)/python -m pytest -n $(TEST_WORKERS) -m "not browser" --ignore=tests/counting $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# The site's pinned dependencies only, then pb itself without resolving anything again. The test
# lock pins the same versions plus the test and lint tools, so it only adds to the site's.
install: install-site
install-site: $(VENV)/.installed-site
install-test: $(VENV)/.installed-test

$(VENV)/.installed-site: $(SITE_LOCK) setup.cfg pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install -r $(SITE_LOCK)
	$(PIP) install --no-deps -e . \
		--config-settings editable_mode=compat  # a plain path entry: Python starts 15 ms sooner
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed-site $(TEST_LOCK)
	$(PIP) install -r $(TEST_LOCK)
	touch $@

# Pin again from setup.cfg: the site lock from install_requires, the test lock from those plus the
# test and lint extras, held to the site lock's versions. Existing pins stay unless setup.cfg no
# longer allows them; `make lock LOCK_ARGS=--upgrade` moves every pin to the newest allowed,
# `LOCK_ARGS="--upgrade-package flask"` one package.
PIP_COMPILE = CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile --quiet --strip-extras \
	--allow-unsafe --no-emit-index-url --no-emit-trusted-host --no-emit-find-links $(LOCK_ARGS)

lock:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	test -x $(BIN)/pip-compile || $(PIP) install "pip-tools>=7.4" -c $(TEST_LOCK)
	$(PIP_COMPILE) --output-file $(SITE_LOCK) setup.cfg
	$(PIP_COMPILE) --extra test --extra lint --constraint $(SITE_LOCK) \
		--output-file $(TEST_LOCK) setup.cfg

# A random SECRET_KEY and VOTE_KEY for this machine, kept out of the repository. Owner-only, as
# everything in instance/ (the SQLite database too): the umask holds as the files are created.
instance/config.py:
	mkdir -p instance
	chmod 700 instance  # a fresh clone has the folder already (its .gitkeep), as the clone made it
	umask 077 && $(BIN)/python -m pb.instance_config $@

# An instance/config.py written before VOTE_KEY existed gets one (pb/instance_config.py says how).
vote-key: instance/config.py
	@$(BIN)/python -m pb.instance_config instance/config.py

translations: install-site
	$(BIN)/pybabel compile -d translations --statistics 2>&1 | grep -v '^compiling' || true
	@ls translations/*/LC_MESSAGES/messages.mo >/dev/null

# Create or upgrade the database in place, then load the demo data if it is empty.
db: install-site instance/config.py vote-key
	$(BIN)/flask db upgrade
	$(BIN)/flask load-demo --if-empty

# After changing strings: re-extract and merge into the catalogs, then translate the new entries.
extract-messages: install-site
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k _ln:1,2 -k lazy_ngettext:1,2 -k pgettext:1c,2 -k lazy_pgettext:1c,2 -o translations/messages.pot --no-location --omit-header --sort-output .

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
