# Sourced by the build scripts: llama.cpp is compiled for this computer's CPU (-march=native),
# except for Intel's AMX tiles. Some CPUs report AMX to programs while the system (often a
# virtual machine) does not let processes use the tiles: ggml's AMX matrix code then dies of a
# general protection fault at its first `ldtilecfg`, so the first answer crashes. AMX speeds up
# only large batches on big Xeons, not the one-token steps of an answer.
# Sets NATIVE_KEY: a short hash of this CPU's features and these flags, so that a build cached
# on one computer is never used on another kind (a home folder shared between machines).
NO_AMX=""
case "$(uname -m)" in
  x86_64|amd64)
    flags="-mno-amx-tile -mno-amx-int8 -mno-amx-bf16"  # kept only if the compiler takes them
    # shellcheck disable=SC2086
    if echo 'int main(void){return 0;}' | "${CC:-cc}" $flags -x c -o /dev/null - >/dev/null 2>&1
    then NO_AMX="$flags"; fi ;;
esac
export CFLAGS="${CFLAGS:+$CFLAGS }$NO_AMX" CXXFLAGS="${CXXFLAGS:+$CXXFLAGS }$NO_AMX"
NATIVE_KEY="$( { uname -m; grep -m1 -E '^(flags|Features)' /proc/cpuinfo 2>/dev/null \
  || sysctl -n machdep.cpu.brand_string 2>/dev/null; echo "$CFLAGS|$CXXFLAGS"; } \
  | cksum | cut -d' ' -f1)"
