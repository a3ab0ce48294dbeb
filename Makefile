# Set-up and everyday commands. Everything lives in .venv; the first install compiles llama.cpp
# (about 15 minutes on 2 cores; pip caches the wheel, so later installs take seconds).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PROMPT ?= Who are you?

.PHONY: install run test bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	CMAKE_ARGS="-DLLAVA_BUILD=OFF" $(BIN)/pip install --quiet -e ".[test]"
	$(BIN)/python -c "import llama_cpp, samantha.cli"
	touch $@

install: $(VENV)/.installed

run: install
	$(BIN)/samantha generate "$(PROMPT)"

test: install
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python bench/bench_generate.py
	$(BIN)/python bench/bench_learning.py

clean:
	rm -rf $(VENV) build src/*.egg-info .pytest_cache
