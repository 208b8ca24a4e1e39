# Two commands: `make run` (bundled defaults) and `make test` (ruff, mypy, pytest).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test bench lint clean docs lock report-check mutants

# The exact versions of requirements.lock (every dependency, with the dev and dask
# extras), then the package itself without resolving anything again, then the model
# compiled into numba's cache (about a minute of one core), so no first run waits for it.
$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@echo "compiling the model into numba's cache (about a minute of one core, once)"
	$(BIN)/python -m allocsim.precompile
	touch $(STAMP)

# Regenerate requirements.lock after changing dependencies in pyproject.toml: one file for
# every Python >= 3.11 and platform (environment markers). Pins that still satisfy
# pyproject.toml are kept; `make lock LOCK_FLAGS=--upgrade` moves everything to the newest.
LOCK_FLAGS ?=
lock:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --universal --python-version 3.11 \
		--extra dev --extra dask $(LOCK_FLAGS) -o requirements.lock

# The starter-pilot review (T3 2022) with enough replications for about two minutes on
# two cores, and its report; the last line printed is the report's path.
run: $(STAMP)
	$(BIN)/allocsim experiment experiments/starter-pilot-t3-2022.toml --replications 20 \
		--executor processes --report

LINT = $(BIN)/ruff check allocsim tests benchmarks scripts \
	&& $(BIN)/ruff format --check allocsim tests benchmarks scripts \
	&& $(BIN)/mypy allocsim
lint: $(STAMP)
	$(LINT)

# Every test. The two that run their own pool of worker processes (`-m pool`, the
# steady-state checks, about 5 minutes of CPU) start first at low priority, their output
# kept for the end; lint and the other tests, spread over the cores (pytest-xdist), run
# meanwhile at normal priority, and the pool tests take every cycle they leave. Fails
# when either part fails; stopping make (Ctrl-C) or a lint failure stops the pool tests.
POOL_LOG := .pool-tests.log
test: $(STAMP)
	@nice -n 10 $(BIN)/pytest -m pool > $(POOL_LOG) 2>&1 & pool=$$!; \
	trap 'kill $$pool 2>/dev/null; rm -f $(POOL_LOG); exit 130' INT TERM; \
	if $(LINT); then \
		$(BIN)/pytest --numprocesses auto -m "not pool"; rest=$$?; \
	else rest=1; kill $$pool; fi; \
	wait $$pool; pooled=$$?; \
	echo "--- the pool tests (-m pool):"; cat $(POOL_LOG); rm -f $(POOL_LOG); \
	test $$rest -eq 0 && test $$pooled -eq 0

# Render every kind of report (a run, the starter and village reviews, a comparison, an
# exploration) in both languages in headless Chromium, first screen and whole page, and
# check them; a kind missing from results/ is made first with small runs (a few minutes).
# RUN=folder checks that folder only. Needs Debian's chromium.
report-check: $(STAMP)
	$(BIN)/python scripts/report_check.py $(if $(RUN),$(RUN),--make)

docs: $(STAMP)
	$(BIN)/python -m allocsim.readme

# Mutation testing of the rules: each broken variant in tests/mutants.toml must make a
# test fail (about 30 minutes on two cores: every variant compiles the model afresh).
mutants: $(STAMP)
	$(BIN)/python scripts/mutants.py

bench: $(STAMP)
	$(BIN)/python benchmarks/bench.py

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache .hypothesis $(POOL_LOG)
