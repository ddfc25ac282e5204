# The README's two commands: `make run` (set up, migrate, serve; or the sandbox) and `make test` (set up, lint, test).
VENV ?= .venv
BIN := $(VENV)/bin
PYTHON ?= python3

# The venv installs the locked versions (requirements/dev.txt: the app's, then test and dev tools, each with
# its hashes), then the project itself, editable and without dependencies; `pip check` then fails when
# pyproject.toml asks for something the lock lacks (run `make lock`).
LOCKS := requirements/runtime.txt requirements/dev.txt

.PHONY: run sandbox socket test chromium bench bench-tick bench-digest bench-load lock

$(BIN)/remote-wins: pyproject.toml $(LOCKS)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --require-hashes -r requirements/dev.txt
	$(BIN)/pip install --quiet --no-deps -e .
	$(BIN)/pip check
	touch $@

# Refresh the locks from pyproject.toml's ranges with pip-tools, in a venv of its own: the newest releases
# that fit (`make lock LOCK_UPGRADE=` keeps the pins that still fit and changes only what must). The
# runtime lock is the app's dependencies; the dev lock adds the test and dev extras, at the same versions.
# (The WARNING the dev lock ends with names remote-wins itself, which the venv installs after, editable.)
LOCK_VENV ?= .venv-lock
LOCK_UPGRADE ?= --upgrade
PIP_COMPILE = CUSTOM_COMPILE_COMMAND="make lock" $(LOCK_VENV)/bin/pip-compile --quiet $(LOCK_UPGRADE) \
	--strip-extras --generate-hashes --no-emit-index-url --no-emit-find-links --unsafe-package remote-wins

lock:
	$(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/pip install --quiet --upgrade pip pip-tools
	$(PIP_COMPILE) --output-file requirements/runtime.txt pyproject.toml
	$(PIP_COMPILE) --extra dev --constraint requirements/runtime.txt --output-file requirements/dev.txt \
	  pyproject.toml

# With SLACK_BOT_TOKEN (environment or .env): migrate and serve. Without: the sandbox, a simulated workspace.
run: $(BIN)/remote-wins
	$(BIN)/remote-wins run

sandbox: $(BIN)/remote-wins
	$(BIN)/remote-wins sandbox

socket: $(BIN)/remote-wins
	$(BIN)/remote-wins db upgrade
	$(BIN)/remote-wins socket

# The suite mostly waits (subprocesses starting, work after the ack, ticks), so it runs on more workers
# than a 2-core machine has cores; each has its own SQLite files and PostgreSQL schema. Serially:
# `make test WORKERS=0`.
WORKERS ?= 4

test: $(BIN)/remote-wins chromium
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest -n $(WORKERS)

# The evidence pack's one-page print check runs in headless Chromium from Debian's packages: installed
# here when missing and possible (root, apt-get). Elsewhere the test says why it is skipped; under CI
# (CI set) it fails instead, so CI always prints the page.
chromium:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
	{ [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && apt-get update -q && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; } || \
	echo "make: no Chromium, and it can't be installed here: the one-page print test will say so"

bench: $(BIN)/remote-wins
	$(BIN)/python bench/ack_latency.py

bench-tick: $(BIN)/remote-wins
	$(BIN)/python bench/tick.py

bench-digest: $(BIN)/remote-wins
	$(BIN)/python bench/digest.py

bench-load: $(BIN)/remote-wins
	$(BIN)/python bench/load.py
