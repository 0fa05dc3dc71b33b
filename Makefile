# OneWindow: the two commands of the README, and the tools behind them.
# Every target sets itself up: a virtual environment in .venv with the project installed.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# Where people reach the demo: every QR code, message link and printed URL starts with it.
ONEWINDOW_PUBLIC_URL ?= http://$(HOST):$(PORT)

.PHONY: demo test lint bench messages clean fuzz

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "OneWindow needs Python 3.11 or newer (found $$($(PYTHON) --version))."; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || \
		{ echo "Could not create $(VENV). On Debian: sudo apt-get install python3-venv"; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

# Set up, migrate SQLite, load the demo zone, serve on http://$(HOST):$(PORT) (make demo
# PORT=8080; behind another address: ONEWINDOW_PUBLIC_URL=http://192.0.2.10:8080).
demo: $(STAMP)
	ONEWINDOW_DEBUG=1 $(BIN)/onewindow migrate --no-input -v 0
	ONEWINDOW_DEBUG=1 ONEWINDOW_PUBLIC_URL=$(ONEWINDOW_PUBLIC_URL) $(BIN)/onewindow demo
	ONEWINDOW_DEBUG=1 ONEWINDOW_PUBLIC_URL=$(ONEWINDOW_PUBLIC_URL) \
		$(BIN)/onewindow runserver $(HOST):$(PORT)

# Set up and run the whole suite (lint, layers, unit, API, browser). The PostgreSQL
# run happens when DATABASE_URL points at a PostgreSQL server.
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q -n auto --dist loadfile $(PYTEST_ARGS)

# Fuzz the whole API as every role over the demo zone (docs/decisions/0013): schemathesis
# with FUZZ_EXAMPLES examples per operation and role and its coverage phase; fails on any
# server error or response that differs from the OpenAPI document. CI runs 10 examples.
FUZZ_EXAMPLES ?= 50
fuzz: $(STAMP)
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest -q -n auto --dist load \
		src/onewindow/demo/tests/test_api_fuzz.py $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

bench: $(STAMP)
	$(BIN)/python bench/bench_calendar.py
	$(BIN)/python bench/bench_search.py
	$(BIN)/python bench/bench_import.py

# Regenerate the translation catalogues (needs GNU gettext: apt-get install gettext).
messages: $(STAMP)
	mkdir -p src/onewindow/locale
	cd src/onewindow && ONEWINDOW_DEBUG=1 ../../$(BIN)/onewindow makemessages -l en \
		--no-obsolete --no-location --ignore 'tests/*' --ignore 'demo/*'
	cd src/onewindow && ONEWINDOW_DEBUG=1 ../../$(BIN)/onewindow compilemessages

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .hypothesis
