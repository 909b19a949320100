# The two set-up commands of the README. Both create .venv and install what they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test system-deps clean

# Each target first checks the Debian packages it needs: `demo` only python3-venv (chromium, for PDF briefings,
# is optional), `test` everything the suite uses (scripts/system-deps.sh).
demo:
	bash scripts/system-deps.sh demo
	$(MAKE) $(STAMP)
	$(BIN)/weaklink demo
	@echo "briefing written to:"
	@$(BIN)/weaklink brief --out brief.html

test:
	bash scripts/system-deps.sh test
	$(MAKE) $(STAMP)
	$(BIN)/python -m pytest -n auto --dist loadgroup   # one worker per core (pytest-xdist); the backend tier on one

system-deps:
	bash scripts/system-deps.sh test

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

clean:
	rm -rf $(VENV) weaklink.duckdb .pytest_cache brief.html
