# The README's two commands: `make run` (set up, migrate, serve; or the sandbox) and `make test` (set up, lint, test).
VENV ?= .venv
BIN := $(VENV)/bin
PYTHON ?= python3

.PHONY: run sandbox socket test bench bench-tick bench-digest

$(BIN)/remote-wins: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

# With SLACK_BOT_TOKEN (environment or .env): migrate and serve. Without: the sandbox, a simulated workspace.
run: $(BIN)/remote-wins
	$(BIN)/remote-wins run

sandbox: $(BIN)/remote-wins
	$(BIN)/remote-wins sandbox

socket: $(BIN)/remote-wins
	$(BIN)/remote-wins db upgrade
	$(BIN)/remote-wins socket

test: $(BIN)/remote-wins
	$(BIN)/ruff check .
	$(BIN)/pytest

bench: $(BIN)/remote-wins
	$(BIN)/python bench/ack_latency.py

bench-tick: $(BIN)/remote-wins
	$(BIN)/python bench/tick.py

bench-digest: $(BIN)/remote-wins
	$(BIN)/python bench/digest.py
