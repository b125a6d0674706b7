# One set of commands for people and CI. `make demo` and `make test` are the README's quick start.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup demo test lint typecheck unit bench lock clean

$(STAMP): pyproject.toml requirements.lock
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c requirements.lock -e '.[dev,bench]'
	touch $(STAMP)

setup: $(STAMP)

## The main job: start the offline mirror, crawl it into output/, stop the mirror.
demo: setup
	$(BIN)/osce-scrape demo --out output

lint: setup
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: setup
	$(BIN)/mypy

unit: setup
	$(BIN)/pytest -q

test: lint typecheck unit

bench: setup
	$(BIN)/python benchmarks/bench_parse.py

## Re-pin after changing dependencies in pyproject.toml.
lock: setup
	$(BIN)/pip freeze --exclude-editable | grep -v '^osce-scrape' > requirements.lock

clean:
	rm -rf $(VENV) output
