# Two commands for a fresh machine: `make demo` and `make test`. Each builds its own venv,
# from the hashed lock files; `make lock` regenerates them after pyproject.toml changes.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PIP_COMPILE := $(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --all-build-deps \
	--strip-extras --no-emit-index-url --no-emit-find-links

.PHONY: install demo test lint bench lock clean i18n

$(BIN)/npsbot: pyproject.toml requirements-dev.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.lock
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	@$(BIN)/pip check >/dev/null || { $(BIN)/pip check; \
		echo "requirements-dev.lock is out of date with pyproject.toml: run 'make lock'"; exit 1; }
	touch $(BIN)/npsbot

install: $(BIN)/npsbot

demo: install
	$(BIN)/npsbot demo

# mypy checks the runtime packages ([tool.mypy] in pyproject.toml) and must find no error.
# pytest includes tests/bench/, which runs every bench/ script's --small mode. It runs on two
# workers per core (pytest-xdist): much of the suite waits on real deadlines (the 3 s ack,
# shutdown grace, platform rates), which a second worker per core overlaps. Each worker has
# its own PostgreSQL database beside the one NPSBOT_TEST_DATABASE_URL names (test -> test_gw0,
# test_gw1, ...), created on first use. Bytecode is written (into the gitignored __pycache__
# folders) even where the environment sets PYTHONDONTWRITEBYTECODE: without it each of the
# workers and each `npsbot run` a test starts compiles every module of ours again (about 3 s of
# CPU a worker, half a second a process).
WORKERS ?= $(shell echo $$(( $$(nproc) * 2 )))
test: install
	$(BIN)/ruff check .
	$(BIN)/mypy
	PYTHONDONTWRITEBYTECODE= $(BIN)/pytest -n $(WORKERS) --dist worksteal

LOCALES := bot/locales
# Phrases: extract the keys the code uses, add new ones to every catalogue, compile the .mo
# files that ship in the package. tests/bot/test_i18n.py fails on any key left untranslated.
i18n: install
	$(BIN)/pybabel extract --no-default-keywords --keyword t --add-location file \
		--sort-output --omit-header --project npsbot -o $(LOCALES)/npsbot.pot bot channels scoring
	$(BIN)/pybabel update --domain npsbot --input-file $(LOCALES)/npsbot.pot \
		--output-dir $(LOCALES) --no-fuzzy-matching --ignore-obsolete --ignore-pot-creation-date
	$(BIN)/pybabel compile --domain npsbot --directory $(LOCALES) --statistics

# The PostgreSQL server the benches that need one use (each in a database of its own).
BENCH_POSTGRES ?= postgresql+psycopg://postgres@127.0.0.1:5432/npsbot_bench
bench: install
	$(BIN)/python bench/digest.py
	$(BIN)/python bench/dispatch.py
	$(BIN)/python bench/sentiment.py
	$(BIN)/python bench/themes.py
	$(BIN)/python bench/import_csv.py
	$(BIN)/python bench/import_responses.py
	$(BIN)/python bench/home.py
	$(BIN)/python bench/responsiveness.py
	$(BIN)/python bench/inbound.py
	$(BIN)/python bench/inbound.py --replicas 2 --database $(BENCH_POSTGRES)_inbound

# Pins every dependency (and the build backend) with hashes; existing pins are kept unless
# pyproject.toml asks otherwise. Add `--upgrade` to PIP_COMPILE to move everything forward.
lock:
	test -x $(BIN)/pip-compile || { $(PYTHON) -m venv $(VENV) && $(BIN)/pip install --quiet pip-tools; }
	$(PIP_COMPILE) --output-file requirements.lock pyproject.toml
	$(PIP_COMPILE) --extra dev --constraint requirements.lock \
		--output-file requirements-dev.lock pyproject.toml

# Build and test leftovers only: never a database (./npsbot.db is the default production one).
clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis build *.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
