"""The values (limits, result) and the sentences that explain which limit stopped the code."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from samantha.core.errors import SamanthaError, SettingsError
from samantha.execution import CodeLimits, CodeResult, CodeRunError
from samantha.execution.verdict import Ending, explain, human_bytes

LIMITS = CodeLimits(timeout=2, memory_bytes=512 * 2**20, output_bytes=1000, processes=20)


def result(**changes) -> CodeResult:
    values = dict(stdout="", stderr="", exit_status=0, seconds=0.1, timed_out=False,
                  cancelled=False, limit=None, work_dir=Path("/w"), files=(), figures=())
    values.update(changes)
    return CodeResult(**values)


def test_defaults_match_the_documented_ones() -> None:
    limits = CodeLimits()
    assert (limits.timeout, limits.memory_bytes, limits.output_bytes, limits.processes) == \
        (60.0, 2 * 2**30, 2**20, 64)


@pytest.mark.parametrize("changes, words", [
    ({"timeout": 0}, "timeout must be more than 0"),
    ({"memory_bytes": 1000}, "at least 32 MiB"),
    ({"output_bytes": -1}, "cannot be negative"),
    ({"processes": 0}, "processes must be at least 1"),
])
def test_invalid_limits_say_what_is_wrong(changes: dict, words: str) -> None:
    with pytest.raises(SettingsError, match=words):
        CodeLimits(**changes)


def test_errors_belong_to_the_tree() -> None:
    assert issubclass(CodeRunError, SamanthaError)


@pytest.mark.parametrize("stdout, stderr, output", [
    ("a\n", "", "a"),
    ("", "  err\n", "err"),
    ("a", "b\n", "a\nb"),
    ("\n\n", "\n", ""),
])
def test_output_joins_the_streams(stdout: str, stderr: str, output: str) -> None:
    assert result(stdout=stdout, stderr=stderr).output == output


@pytest.mark.parametrize("changes, succeeded", [
    ({}, True),
    ({"exit_status": 1}, False),
    ({"exit_status": None}, False),
    ({"timed_out": True}, False),
    ({"cancelled": True}, False),
    ({"limit": "Output truncated: ..."}, True),  # cut output is not a failure
])
def test_succeeded(changes: dict, succeeded: bool) -> None:
    assert result(**changes).succeeded is succeeded


@pytest.mark.parametrize("ending, expected", [
    (Ending(0), None),
    (Ending(1, stderr="ValueError: x"), None),
    (Ending(-9, cancelled=True), None),
    (Ending(-15, timed_out=True),
     "Stopped after 2 s (the time limit). Make the code do less, or raise the time limit if "
     "the work really needs longer."),
    (Ending(1, stderr="Traceback ...\nMemoryError\n"),
     "Stopped: the code ran out of memory (the memory limit is 512 MiB per process). Work on "
     "less data at a time, or raise the memory limit."),
    (Ending(1, stderr="numpy.core._exceptions._ArrayMemoryError: Unable to allocate 4 GiB"),
     "ran out of memory"),
    (Ending(1, stderr="BlockingIOError: [Errno 11] Resource temporarily unavailable"),
     "The code tried to start more than 20 processes or threads (the process limit)"),
    (Ending(1, stderr="RuntimeError: can't start new thread"), "the process limit"),
    (Ending(-9, over_process_cap=True), "Stopped: the code started more than 20 processes"),
    (Ending(-signal.SIGXCPU, cpu_seconds=9), "Stopped after 9 s of CPU time"),
    (Ending(-signal.SIGSEGV), "killed by SIGSEGV; a common cause is the memory limit (512 MiB"),
    (Ending(-signal.SIGKILL), "killed by SIGKILL"),
    (Ending(0, truncated=(("stdout", 5000),)),
     "Output truncated: stdout had 5,000 bytes, the first 1,000 were kept (the output limit)."),
])
def test_explain(ending: Ending, expected: str | None) -> None:
    sentence = explain(ending, LIMITS)
    if expected is None:
        assert sentence is None
    else:
        assert sentence is not None and expected in sentence


def test_explain_names_every_limit_that_played_a_part() -> None:
    sentence = explain(Ending(-15, timed_out=True, truncated=(("stderr", 2000),)), LIMITS)
    assert sentence is not None
    assert sentence.startswith("Stopped after 2 s") and "stderr had 2,000 bytes" in sentence


@pytest.mark.parametrize("count, text", [
    (2 * 2**30, "2 GiB"), (512 * 2**20, "512 MiB"), (1536 * 2**20, "1.5 GiB"), (10, "10 bytes"),
])
def test_human_bytes(count: int, text: str) -> None:
    assert human_bytes(count) == text
