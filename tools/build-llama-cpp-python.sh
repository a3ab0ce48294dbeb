#!/usr/bin/env bash
# Builds the pinned llama-cpp-python (which compiles llama.cpp, about 15 minutes on 2 cores) into
# a wheel for this computer's CPU, once, in a cache folder that later set-ups reuse (pip's own
# cache would hand out a wheel built with other flags or on another CPU). Prints the folder,
# for `pip install --find-links`.
set -euo pipefail
VERSION="${1:?usage: build-llama-cpp-python.sh LLAMA_CPP_PYTHON_VERSION PIP}"
PIP="${2:?usage: build-llama-cpp-python.sh LLAMA_CPP_PYTHON_VERSION PIP}"
. "$(dirname "$0")/native-build.sh"
CACHE="${SAMANTHA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/samantha}"
WHEELS="$CACHE/llama-cpp-python-$VERSION-$NATIVE_KEY"
if ls "$WHEELS"/llama_cpp_python-"$VERSION"-*.whl >/dev/null 2>&1; then echo "$WHEELS"; exit 0; fi
mkdir -p "$CACHE"
WORK="$(mktemp -d "$CACHE/wheel.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
echo "Compiling llama.cpp through llama-cpp-python $VERSION (about 15 minutes on 2 cores," \
     "once)..." >&2
CMAKE_ARGS="-DLLAVA_BUILD=OFF${CMAKE_ARGS:+ $CMAKE_ARGS}" "$PIP" wheel --quiet --no-deps \
  --no-cache-dir --no-binary llama-cpp-python "llama-cpp-python==$VERSION" -w "$WORK" >&2
mkdir -p "$WHEELS.tmp" && mv "$WORK"/llama_cpp_python-*.whl "$WHEELS.tmp"/ \
  && rm -rf "$WHEELS" && mv "$WHEELS.tmp" "$WHEELS"
echo "$WHEELS"
