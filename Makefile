# Everything a fresh machine needs: `make demo` and `make test` each set up .venv first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# Pinned CPU wheel for machines without a GPU; override (e.g. TORCH=torch) to pick another build.
TORCH ?= torch==2.13.0
DEMO_OUT ?= runs/demo

.PHONY: demo test test-slow fuzz lint typecheck format fashion clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/activate pyproject.toml
	$(BIN)/python -c "import torch" 2>/dev/null || $(BIN)/pip install -q "$(TORCH)"
	$(BIN)/pip install -q -e ".[test]"
	touch $@

demo: $(VENV)/.installed
	$(BIN)/aekit train --data digits --out $(DEMO_OUT) --hidden 256,128 --code-size 10 \
		--epochs 150 --batch-size 64 --overwrite
	@echo "pictures: $(DEMO_OUT)/loss_curve.png $(DEMO_OUT)/reconstructions.png $(DEMO_OUT)/codes.png"

test: $(VENV)/.installed
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/pytest -q

test-slow: $(VENV)/.installed
	$(BIN)/pytest -q -m slow

# Thousands of mutated files per reader (hypothesis), and coverage-guided runs if atheris installs.
fuzz: $(VENV)/.installed
	$(BIN)/pip install -q atheris || echo "atheris did not install: its runs are skipped"
	$(BIN)/pytest -q -m slow tests/test_fuzz.py

lint: $(VENV)/.installed
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

# mypy over src/aekit, configured in pyproject.toml ([tool.mypy]).
typecheck: $(VENV)/.installed
	$(BIN)/mypy

format: $(VENV)/.installed
	$(BIN)/ruff format src tests benchmarks

clean:
	rm -rf $(VENV) runs .pytest_cache .ruff_cache
