"""Turning how a run ended into a sentence for the user: which limit stopped or cut the code, and
how to give it more room."""

from __future__ import annotations

import signal
from dataclasses import dataclass

from samantha.execution.results import CodeLimits

MEMORY_MARKERS = ("MemoryError", "Cannot allocate memory", "std::bad_alloc", "Unable to allocate",
                  "out of memory")
PROCESS_MARKERS = ("BlockingIOError: [Errno 11]", "can't start new thread",
                   "Resource temporarily unavailable")
CRASH_SIGNALS = (signal.SIGKILL, signal.SIGSEGV, signal.SIGABRT, signal.SIGBUS)


@dataclass(frozen=True)
class Ending:
    """The facts of how a run ended."""

    exit_status: int | None
    timed_out: bool = False
    cancelled: bool = False
    stderr: str = ""
    over_process_cap: bool = False  # seen by the watchdog (when running as root)
    truncated: tuple[tuple[str, int], ...] = ()  # (stream name, bytes written) past the cap
    cpu_seconds: int = 0  # the CPU-time backstop that was set
    oom_kills: int = 0  # processes the kernel killed at the run's memory budget (its cgroup)
    memory_scope: str = "per process"  # or "for the whole run" (a cgroup held the budget)


def explain(ending: Ending, limits: CodeLimits) -> str | None:
    """One or more sentences, or None when no limit played a part."""
    sentences = []
    if ending.timed_out:
        sentences.append(f"Stopped after {limits.timeout:g} s (the time limit). Make the code do "
                         "less, or raise the time limit if the work really needs longer.")
    if ending.oom_kills:
        sentences.append(_budget_sentence(ending, limits))
    if ending.over_process_cap:
        sentences.append(f"Stopped: the code started more than {limits.processes} processes "
                         "(the process limit). Start fewer processes, or raise the process "
                         "limit.")
    elif _failed(ending) and not ending.oom_kills:
        sentences.extend(_failure_sentences(ending, limits))
    for stream, total in ending.truncated:
        sentences.append(f"Output truncated: {stream} had {total:,} bytes, the first "
                         f"{limits.output_bytes:,} were kept (the output limit).")
    return " ".join(sentences) or None


def _budget_sentence(ending: Ending, limits: CodeLimits) -> str:
    killed = "1 of them" if ending.oom_kills == 1 else f"{ending.oom_kills} of them"
    return (f"Memory limit reached: the code's processes together used "
            f"{human_bytes(limits.memory_bytes)} (the memory limit for the whole run) and the "
            f"kernel killed {killed}. Work on less data at a time, or raise the memory limit.")


def _failed(ending: Ending) -> bool:
    return ending.exit_status not in (0, None) and not ending.timed_out and not ending.cancelled


def _failure_sentences(ending: Ending, limits: CodeLimits) -> list[str]:
    status = ending.exit_status or 0
    memory = human_bytes(limits.memory_bytes)
    if any(marker in ending.stderr for marker in MEMORY_MARKERS):
        return [f"Stopped: the code ran out of memory (the memory limit is {memory} "
                f"{ending.memory_scope}). Work on less data at a time, or raise the memory "
                "limit."]
    if any(marker in ending.stderr for marker in PROCESS_MARKERS):
        return [f"The code tried to start more than {limits.processes} processes or threads "
                "(the process limit) and was refused. Start fewer processes or threads, or "
                "raise the process limit."]
    if status == -signal.SIGXCPU:
        return [f"Stopped after {ending.cpu_seconds} s of CPU time (the CPU-time backstop, "
                "set past the time limit). Raise the time limit if the work needs longer."]
    if status < 0 and -status in CRASH_SIGNALS:
        name = signal.Signals(-status).name
        return [f"The code was killed by {name}; a common cause is the memory limit ({memory} "
                f"{ending.memory_scope}). If it works on large data, raise the memory limit."]
    return []


def human_bytes(count: int) -> str:
    """2147483648 -> '2 GiB', 536870912 -> '512 MiB'."""
    for unit, size in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if count >= size:
            return f"{count / size:.3g} {unit}"
    return f"{count} bytes"
