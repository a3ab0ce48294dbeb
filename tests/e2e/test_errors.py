"""Bad input through the real ``samantha`` executable: one clear line, exit code 2, no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e


def samantha(*args: str, home: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "SAMANTHA_HOME": str(home)}
    return subprocess.run([sys.executable, "-m", "samantha", *args], capture_output=True,
                          text=True, env=env, timeout=120)


def assert_clear_error(proc: subprocess.CompletedProcess, *words: str) -> None:
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    message = lines[-1]
    for word in words:
        assert word in message, message


def test_missing_model_file(session_home: Path, tmp_path: Path) -> None:
    proc = samantha("generate", "hi", "--model", str(tmp_path / "gone.gguf"), home=session_home)
    assert_clear_error(proc, "Model not found", "samantha models list")


def test_not_a_gguf_file(session_home: Path, tmp_path: Path) -> None:
    fake = tmp_path / "photo.gguf"
    fake.write_bytes(b"\x89PNG" + b"\0" * 4096)
    assert_clear_error(samantha("generate", "hi", "--model", str(fake), home=session_home),
                       "not a GGUF model")


def test_truncated_gguf(session_home: Path, default_model_path: Path, tmp_path: Path) -> None:
    cut = tmp_path / "cut.gguf"
    with open(default_model_path, "rb") as src, open(cut, "wb") as dst:
        dst.write(src.read(80_000_000))
    assert_clear_error(samantha("generate", "hi", "--model", str(cut), home=session_home),
                       "truncated", "download the model again")


def test_unsupported_architecture(session_home: Path, tmp_path: Path) -> None:
    import gguf

    path = tmp_path / "odd.gguf"
    writer = gguf.GGUFWriter(str(path), "nonsense")
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    assert_clear_error(samantha("generate", "hi", "--model", str(path), home=session_home),
                       "could not load", "nonsense")


def test_unknown_parameter(session_home: Path) -> None:
    proc = samantha("generate", "hi", "--top-q", "0.5", home=session_home)
    assert proc.returncode == 2 and "No such option" in proc.stderr and "--top-p" in proc.stderr


def test_value_out_of_range(session_home: Path) -> None:
    assert_clear_error(samantha("generate", "hi", "--top-p", "2", home=session_home),
                       "top_p", "out of range", "0 to 1")


def test_bad_stop_list(session_home: Path) -> None:
    assert_clear_error(samantha("generate", "hi", "--stop", '["a"', home=session_home),
                       "stop", "JSON")


def test_prompt_longer_than_the_context(session_home: Path) -> None:
    proc = samantha("generate", "word " * 400, "--n-ctx", "128", home=session_home)
    assert_clear_error(proc, "tokens", "128", "n_ctx")


def test_the_ui_refuses_an_open_address_without_a_password(session_home: Path,
                                                          monkeypatch) -> None:
    monkeypatch.delenv("SAMANTHA_PASSWORD", raising=False)
    env_free = samantha("ui", "--host", "0.0.0.0", "--no-browser", home=session_home)
    assert_clear_error(env_free, "--password", "127.0.0.1")


def test_the_ui_says_when_its_port_is_taken(session_home: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = samantha("ui", "--no-browser", "--port", str(port), home=session_home)
    assert_clear_error(proc, "taken", "--port")
