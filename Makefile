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

run: $(STAMP)
	$(BIN)/allocsim run configs/agreements-2022.toml

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
