"""The text a front end shows for a run, built from its events (the predecessor's layout):

    ==========================================
    3) model.gguf
    ==========================================
    RANDOM: temperature (0.53), …
     the answer, token by token
    ---------- (16 tokens, 0.2 s)

A banner heads the answers a model gives in a row; its number is the cycle of the first of them
(the status line's "Cycle 3 of 6", History's cycle numbers), so it is written when that cycle
starts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

from samantha.core.answer_events import AnswerRestarted, TokenEvent
from samantha.core.run_events import (
    ChecksDone,
    CodeRan,
    CycleFailed,
    CycleFinished,
    CycleStarted,
    ModelBanner,
    RunEvent,
    RunFinished,
    RunStarted,
    VerdictGiven,
)
from samantha.core.verdict import VerdictWords, verdict_line

RULE = "=" * 42
RANDOM_ORDER = ("temperature", "tfs_z", "min_p", "top_p", "typical_p", "presence_penalty",
                "frequency_penalty", "repeat_penalty")


def banner(model: str, cycle: int) -> str:
    """The banner over the answers of ``model`` from cycle number ``cycle`` on."""
    return f"\n\n{RULE}\n{cycle}) {model}\n{RULE}\n"


def random_line(drawn: dict[str, float]) -> str:
    """``RANDOM: temperature (0.53), tfs_z (0.2), …`` in the predecessor's order."""
    return "RANDOM: " + ", ".join(f"{name} ({drawn[name]})" for name in RANDOM_ORDER)


#: How an answer ended, when it did not end by itself (or at max_tokens).
ENDINGS: Mapping[str, str] = MappingProxyType({
    "cancelled": "stopped", "error": "failed", "repetition": "stopped: the answer repeats itself"})


@dataclass(frozen=True)
class Phrases:
    """The words of the output text, English by default (the web UI passes its language's)."""

    endings: Mapping[str, str] = field(default_factory=lambda: ENDINGS)
    error: str = "Error in cycle {number} ({model}): {error}"
    note: str = "note"
    printed_nothing: str = "(the code printed nothing; exit status {status})"
    left_out: str = "(left out: {line})"
    answered_by: str = "answered by {model}"
    restarted: str = "{reason} Starting the answer again on {backend}."
    verdict: VerdictWords = VerdictWords()
    checks: str = "Checks: {passed} of {total} passed."
    check_failed: str = "failed: {spec}: {detail}"
    check_undone: str = "not checked: {spec}: {detail}"


ENGLISH = Phrases()


def checks_report(event: ChecksDone, words: Phrases = ENGLISH) -> str:
    """An answer's checks: how many passed, then each one that failed or was not done."""
    passed = sum(1 for r in event.results if r.passed)
    lines = [words.checks.format(passed=passed, total=len(event.results))]
    lines += ["  " + (words.check_failed if r.passed is False else words.check_undone).format(
        spec=r.spec[:60], detail=r.detail) for r in event.results if not r.passed]
    return "\n".join(lines)


def footer(tokens: int, seconds: float, reason: str | None = None,
           words: Phrases = ENGLISH) -> str:
    note = f", {words.endings[reason]}" if reason is not None and reason in words.endings else ""
    return f"---------- ({tokens} tokens, {seconds:.1f} s{note})"


def code_report(event: CodeRan, words: Phrases = ENGLISH) -> str:
    result = event.result
    lines = [words.left_out.format(line=line) for line in event.extraction.dropped]
    output = result.output
    status = getattr(result, "exit_status", "?")
    lines.append(f"Python interpreter output:\n\n{output}" if output else
                 words.printed_nothing.format(status=status))
    limit = getattr(result, "limit", None)
    if limit:
        lines.append(limit)
    return "\n".join(lines)


@dataclass
class Transcript:
    """Everything said so far in a tab: the display text and the answers themselves."""

    text: str = ""
    responses: list[str] = field(default_factory=list)  # answers of every finished cycle
    current: str = ""  # the answer being generated
    notes: list[str] = field(default_factory=list)
    words: Phrases = ENGLISH
    banner: ModelBanner | None = None  # written when its first cycle starts (with its number)

    @property
    def last_response(self) -> str:
        return self.current or (self.responses[-1] if self.responses else "")

    def add(self, event: RunEvent) -> None:
        if isinstance(event, RunStarted):
            self.notes = list(event.skipped)
            self.text += "".join(f"\n{self.words.note}: {note}" for note in event.skipped)
        elif isinstance(event, ModelBanner):
            self.banner = event
        elif isinstance(event, CycleStarted):
            if self.banner is not None:
                self.text += banner(self.banner.model, event.cycle.number)
                self.banner = None
            self.current = ""
            if event.random_overrides:
                self.text += random_line(event.random_overrides) + "\n\n"
        elif isinstance(event, TokenEvent):
            self.current += event.text
            self.text += event.text
        elif isinstance(event, AnswerRestarted):  # the first try is dropped from the text
            self.text = self.text[:len(self.text) - len(self.current)] + "[" + \
                self.words.restarted.format(reason=event.reason, backend=event.backend) + "]\n"
            self.current = ""
        elif isinstance(event, CycleFinished):
            r = event.result
            # the final text can hold a tail that was held back while it looked like a stop
            self.text += r.text[len(self.current):] if r.text.startswith(self.current) else ""
            self.current = ""
            self.responses.append(r.text)
            if r.answered_by:
                self.text += "\n" + self.words.answered_by.format(model=r.answered_by)
            self.text += "\n" + footer(r.tokens, r.seconds, r.finish_reason, self.words) + "\n"
        elif isinstance(event, CycleFailed):
            self.current = ""
            self.text += "\n" + self.words.error.format(
                number=event.cycle.number, model=event.cycle.model, error=event.error) + "\n"
        elif isinstance(event, CodeRan):
            self.text += code_report(event, self.words) + "\n"
            if self.responses:
                output = event.result.output
                if output:
                    self.responses[-1] += f"\n\nPython interpreter output:\n\n{output}"
        elif isinstance(event, VerdictGiven):
            self.text += verdict_line(event.verdict, self.words.verdict) + "\n"
        elif isinstance(event, ChecksDone):
            self.text += checks_report(event, self.words) + "\n"
        elif isinstance(event, RunFinished) and event.reason:
            self.text += f"\n({event.reason})\n"

    def clear(self) -> None:
        self.text, self.responses, self.current, self.notes = "", [], "", []
