# Two commands for a fresh machine:
#   make run    install and start the assistant (`serve` when a channel is configured, else the console chat)
#   make test   install and run the whole test suite (SQLite and the local PostgreSQL server)

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-far-date install lint bench postgres i18n faketime browser fonts

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) fonts

run: $(STAMP)
	$(BIN)/python -m bot run

postgres:
	@scripts/ensure-postgres.sh

test: $(STAMP) postgres browser fonts
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache
	TEST_DATABASE_URL=$${TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/test} $(BIN)/python -m pytest -q

# The suite again with the wall clock moved years ahead (CI runs it after `make test`).
FAR_DATE ?= 2031-07-15 10:00:00
test-far-date: $(STAMP) postgres faketime browser fonts
# tests/bot/test_service.py starts `serve` subprocesses whose timed waits never end under libfaketime; it
# runs in `make test` and is left out here only.
	TEST_DATABASE_URL=$${TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/test} \
		faketime -f '@$(FAR_DATE)' $(BIN)/python -m pytest -q -p no:cacheprovider \
		--deselect tests/bot/test_service.py

faketime:
	@command -v faketime >/dev/null || (apt-get install -y -q faketime >/dev/null || \
		(apt-get update -q >/dev/null && apt-get install -y -q faketime >/dev/null)) || \
		{ echo "faketime is needed for the far-date run (Debian package faketime)" >&2; exit 1; }

# Debian's Chromium and its driver for the web chat's browser test (tests/bot/channels/webchat/test_browser.py);
# the emoji font makes its screenshots show what phones show.
BROWSER_PACKAGES := chromium chromium-driver fonts-noto-color-emoji
browser:
	@(command -v chromium && command -v chromedriver) >/dev/null || \
		(apt-get install -y -q $(BROWSER_PACKAGES) >/dev/null || \
		(apt-get update -q >/dev/null && apt-get install -y -q $(BROWSER_PACKAGES) >/dev/null)) || \
		{ echo "Chromium is needed for the web chat browser test (Debian packages: $(BROWSER_PACKAGES))" >&2; exit 1; }

# The apology letter's font (a TrueType font with Vietnamese; [apologies].font in config.toml).
fonts:
	@test -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf || (apt-get install -y -q fonts-dejavu-core >/dev/null || \
		(apt-get update -q >/dev/null && apt-get install -y -q fonts-dejavu-core >/dev/null)) || \
		{ echo "The apology letter needs a font with Vietnamese (Debian package fonts-dejavu-core)" >&2; exit 1; }

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

# Benchmarks (minutes; the dossier one at 1,000,000 rows takes about 10 minutes on 2 cores).
bench: $(STAMP) postgres
	$(BIN)/python bench/search_bench.py
	$(BIN)/python bench/runtime_bench.py
	$(BIN)/python bench/fidelity_bench.py
	$(BIN)/python bench/webhook_bench.py
	$(BIN)/python bench/report_bench.py
	$(BIN)/python bench/dossier_bench.py --rows 1000000 --backend both

# Refresh the message catalogs after changing user-visible texts, then translate the new
# entries in bot/i18n/locale/en/LC_MESSAGES/messages.po.
i18n: $(STAMP)
	$(BIN)/pybabel extract -k _ -k gettext -k ngettext:1,2 --no-location --sort-output --omit-header \
		-o bot/i18n/messages.pot bot handlers
	$(BIN)/pybabel update -i bot/i18n/messages.pot -d bot/i18n/locale -D messages --no-fuzzy-matching
