# Two commands: `make run` (bundled defaults) and `make test` (ruff, mypy, pytest).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test bench lint clean docs

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The starter-pilot review (T3 2022) with enough replications for about two minutes on
# two cores, and its report; the last line printed is the report's path.
run: $(STAMP)
	$(BIN)/allocsim experiment experiments/starter-pilot-t3-2022.toml --replications 20 \
		--executor processes --report

lint: $(STAMP)
	$(BIN)/ruff check allocsim tests benchmarks
	$(BIN)/ruff format --check allocsim tests benchmarks
	$(BIN)/mypy allocsim

test: lint
	$(BIN)/pytest

docs: $(STAMP)
	$(BIN)/python -m allocsim.readme

bench: $(STAMP)
	$(BIN)/python benchmarks/bench.py

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache .hypothesis
