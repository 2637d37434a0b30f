# Two commands for a fresh machine: `make demo` and `make test`. Each builds its own venv.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: install demo test lint bench clean

$(BIN)/npsbot: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(BIN)/npsbot

install: $(BIN)/npsbot

demo: install
	$(BIN)/npsbot demo

test: install
	$(BIN)/ruff check .
	$(BIN)/pytest

bench: install
	$(BIN)/python bench/digest.py
	$(BIN)/python bench/dispatch.py
	$(BIN)/python bench/sentiment.py
	$(BIN)/python bench/themes.py

clean:
	rm -rf $(VENV) npsbot.db npsbot.db-* .pytest_cache
