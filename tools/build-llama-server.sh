#!/usr/bin/env bash
# Builds llama.cpp's llama-server from the llama.cpp source that the pinned llama-cpp-python
# vendors (its sdist), once, into a cache folder that later builds reuse. Prints its path.
# About 13 minutes on 2 cores; compiled for this CPU (see native-build.sh). Needs cmake and a C++
# compiler (Debian: cmake g++).
set -euo pipefail
VERSION="${1:?usage: build-llama-server.sh LLAMA_CPP_PYTHON_VERSION PIP}"
PIP="${2:?usage: build-llama-server.sh LLAMA_CPP_PYTHON_VERSION PIP}"
. "$(dirname "$0")/native-build.sh"
CACHE="${SAMANTHA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/samantha}"
CACHE="$CACHE/llama-server-$VERSION-$NATIVE_KEY"
BINARY="$CACHE/llama-server"
if [ -x "$BINARY" ]; then echo "$BINARY"; exit 0; fi
command -v cmake >/dev/null && command -v c++ >/dev/null || {
  echo "Building llama-server needs cmake and a C++ compiler: sudo apt-get install cmake g++" >&2
  exit 1; }
mkdir -p "$CACHE"
WORK="$(mktemp -d "$CACHE/build.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
echo "Building llama-server from llama-cpp-python $VERSION's llama.cpp (about 13 minutes on" \
     "2 cores, once)..." >&2
"$PIP" download --quiet --no-deps --no-binary :all: "llama-cpp-python==$VERSION" -d "$WORK"
tar -xzf "$WORK"/llama_cpp_python-"$VERSION".tar.gz -C "$WORK"
SOURCE="$WORK/llama_cpp_python-$VERSION/vendor/llama.cpp"
cmake -S "$SOURCE" -B "$WORK/build" -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF \
  -DLLAMA_CURL=OFF -DLLAMA_OPENSSL=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF \
  >"$WORK/configure.log" 2>&1 || { cat "$WORK/configure.log" >&2; exit 1; }
cmake --build "$WORK/build" --target llama-server -j "$(nproc)" >"$WORK/build.log" 2>&1 || {
  tail -40 "$WORK/build.log" >&2; exit 1; }
cp "$WORK/build/bin/llama-server" "$BINARY.tmp" && mv "$BINARY.tmp" "$BINARY"
echo "$BINARY"
