# One set of commands for people and CI. `make demo` and `make test` are the README's quick start.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: setup setup-dev demo test lint typecheck unit bench lock clean browser-deps

## What running needs: the package and its dependencies, at the versions in requirements.lock.
$(STAMP): pyproject.toml requirements.lock
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c requirements.lock -e .
	touch $(STAMP)

## What testing and benchmarking add: pytest, ruff, mypy, trafilatura, psutil, and GeoNames (the gazetteer's
## generator, checked by the tests).
$(DEV_STAMP): $(STAMP)
	$(BIN)/pip install --quiet -c requirements.lock -e '.[dev,bench,gazetteer]'
	touch $(DEV_STAMP)

setup: $(STAMP)
setup-dev: $(DEV_STAMP)

## The main job: start the offline mirror, crawl it into output/, stop the mirror.
demo: setup
	$(BIN)/osce-scrape demo --out output

lint: setup-dev
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: setup-dev
	$(BIN)/mypy

unit: setup-dev
	$(BIN)/pytest -q

## Headless Chromium for the report's rendering test: installed when root and missing, else left alone
## (the test skips, saying why, when there is no chromium).
browser-deps:
	@if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		(apt-get update -qq && apt-get install -y -qq chromium) \
			|| echo "browser-deps: chromium could not be installed: the browser test will skip"; \
	else echo "browser-deps: no chromium and not root: the browser test will skip"; fi

test: browser-deps lint typecheck unit

bench: setup-dev
	$(BIN)/python benchmarks/bench_parse.py

## Re-pin after changing dependencies in pyproject.toml.
lock: setup-dev
	$(BIN)/pip freeze --exclude-editable | grep -v '^osce-scrape' > requirements.lock

clean:
	rm -rf $(VENV) output
