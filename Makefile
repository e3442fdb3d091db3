# The README's two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test install install-test catalogs system-packages system-packages-run clean

run: install system-packages-run
	$(BIN)/numberdesk setup --demo-asterisk
	$(BIN)/honcho start -f Procfile

test: install-test system-packages
	$(BIN)/python -m flake8
	NUMBERDESK_TESTS_COMPLETE=1 $(BIN)/python -m pytest

install: $(VENV)/.installed catalogs
install-test: $(VENV)/.installed-test catalogs

# The pages' translations: each package's Russian catalog (.po) compiled to the .mo the app reads.
# scripts/update-translations extracts and updates the .po files.
catalogs: | $(VENV)/.installed
	@for directory in webapp/*/translations; do \
	  [ -d "$$directory" ] && $(BIN)/pybabel compile --statistics -d "$$directory" 2>&1 | grep -v '^compiling' || true; \
	done

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || { \
	  echo "Installing python3-venv, which this Python needs to create .venv"; \
	  $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv \
	  && rm -rf $(VENV) && $(PYTHON) -m venv $(VENV); }

$(VENV)/.installed: setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(VENV)/.installed $@

system-packages:
	@./scripts/install-system-packages test

system-packages-run:
	@./scripts/install-system-packages run

clean:
	rm -rf $(VENV) instance .pytest_cache
