# Two commands for a fresh machine: `make demo` and `make test`. Each builds its own venv.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: install demo test lint bench clean i18n

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

LOCALES := bot/locales
# Phrases: extract the keys the code uses, add new ones to every catalogue, compile the .mo
# files that ship in the package. tests/bot/test_i18n.py fails on any key left untranslated.
i18n: install
	$(BIN)/pybabel extract --no-default-keywords --keyword t --add-location file \
		--sort-output --omit-header --project npsbot -o $(LOCALES)/npsbot.pot bot
	$(BIN)/pybabel update --domain npsbot --input-file $(LOCALES)/npsbot.pot \
		--output-dir $(LOCALES) --no-fuzzy-matching --ignore-obsolete
	$(BIN)/pybabel compile --domain npsbot --directory $(LOCALES) --statistics

bench: install
	$(BIN)/python bench/digest.py
	$(BIN)/python bench/dispatch.py
	$(BIN)/python bench/sentiment.py
	$(BIN)/python bench/themes.py

clean:
	rm -rf $(VENV) npsbot.db npsbot.db-* .pytest_cache
