"""How llama.cpp was compiled for this computer (tools/native-build.sh)."""

from __future__ import annotations

import llama_cpp


def test_llama_cpp_is_built_without_amx() -> None:
    # ggml's AMX code dies of a general protection fault at the first answer on CPUs that
    # report AMX while the system withholds its tiles (seen in a virtual machine); the build
    # leaves AMX out, so the features llama.cpp was compiled with never include it.
    features = llama_cpp.llama_print_system_info().decode()
    assert features.startswith("CPU"), features  # the CPU features are listed
    assert "AMX" not in features, features
