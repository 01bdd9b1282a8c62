# Every target sets itself up: a fresh clone needs only `make test` or `make demo`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The demo needs only the runtime (the dev toolchain is for `make test`).
RUNTIME_STAMP := $(VENV)/.runtime-installed

JS_DIR := tests/conformance/js
JS_STAMP := $(JS_DIR)/node_modules/.installed

.PHONY: test test-lowest demo lint typecheck unit clean js-deps bench

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --quiet -e '.[test]'
	touch $(STAMP)

$(RUNTIME_STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --quiet -e .
	touch $(RUNTIME_STAMP)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy websets_sync

# exa-js for the node conformance test (tests/conformance/test_exa_js.py); without npm that test
# skips, so this step only says so.
$(JS_STAMP): $(JS_DIR)/package.json $(JS_DIR)/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		cd $(JS_DIR) && npm ci --no-audit --no-fund --silent && touch node_modules/.installed; \
	else echo "npm not found: the exa-js conformance test will skip"; fi

js-deps: $(JS_STAMP)

# The suite starts a few hundred Python processes (the CLI, `emulator serve`, the recipe scripts).
# Where the environment sets PYTHONDONTWRITEBYTECODE (CI images often do), each of them would
# compile every module again and each pytest worker re-rewrite every test module: ~40 s of CPU.
# __pycache__ is ignored by git.
unit: $(STAMP) js-deps
	env -u PYTHONDONTWRITEBYTECODE $(BIN)/pytest

test: lint typecheck unit

# The floors in pyproject.toml, tested: every runtime dependency at its lowest allowed version.
# The SDK conformance tests are left out: exa-py needs a newer httpx than our floor, and they
# check the emulator, not the floors.
LOWEST := .venv-lowest
test-lowest:
	test -x $(LOWEST)/bin/python || $(PYTHON) -m venv $(LOWEST)
	$(LOWEST)/bin/python scripts/lowest_constraints.py > $(LOWEST)/constraints.txt
	$(LOWEST)/bin/python -m pip install --quiet --quiet --upgrade pip
	$(LOWEST)/bin/python -m pip install --quiet --quiet -c $(LOWEST)/constraints.txt -e '.[test-core]'
	$(LOWEST)/bin/python -m pip check
	$(LOWEST)/bin/python -m pip freeze | grep -iE '^(pyyaml|jsonschema|httpx|deepdiff|click)=='
	$(LOWEST)/bin/pytest --ignore=tests/conformance --ignore=tests/test_manifest_sdk_conformance.py

demo: $(RUNTIME_STAMP)
	bash scripts/demo.sh

clean:
	rm -rf $(VENV) $(LOWEST) .websets-sync build *.egg-info .mypy_cache .pytest_cache .ruff_cache \
		$(JS_DIR)/node_modules

# How validate, plan and apply scale (BENCH_SIZES=100,1000 for a quick run; see scripts/bench.py).
bench: $(STAMP)
	$(BIN)/python scripts/bench.py
