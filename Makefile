# The two set-up commands of the README. Both create .venv and install what they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test system-deps clean

demo: $(STAMP)
	$(BIN)/weaklink demo
	@echo "briefing written to:"
	@$(BIN)/weaklink brief --out brief.html

test: $(STAMP)
	$(BIN)/python -m pytest

system-deps:
	bash scripts/system-deps.sh

$(STAMP): pyproject.toml scripts/system-deps.sh
	$(MAKE) system-deps
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

clean:
	rm -rf $(VENV) weaklink.duckdb .pytest_cache brief.html
