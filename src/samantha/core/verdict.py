"""A judge's verdict in a form a small model can keep: a JSON object constrained by a schema.

A prompt item marked ``{verdict=AI 1|AI 2}`` is a judgement between those contestants: its answer
is constrained by :func:`verdict_schema` (a JSON schema, so a grammar: the model can only write
a winner among the names or ``tie``, a score from 0 to 10 per contestant and a short reason),
then read by :func:`read_verdict` into a :class:`Verdict`. An answer that is not such an object
(cut short by max_tokens or Stop, or given by a backend that ignored the schema) becomes a
verdict with its ``problem`` said and nothing else filled in: nothing is guessed.

Pure: names in, schema text out; text in, a value out. Rubrics and panels of judges can build on
it (several judgements, each a :class:`Verdict`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Mapping

from samantha.core.errors import InputError

TIE = "tie"
SCORE_MAX = 10  # scores are whole numbers from 0 to SCORE_MAX
#: The reason's length in characters: a sentence or two. The schema says it, so the grammar
#: bounds it (llama.cpp writes a maxLength as that many nested groups: keep it small).
REASON_MAX = 160
MAX_CONTESTANTS = 8  # a judgement between more answers is several judgements
MAX_NAME = 40  # characters of a contestant's name
SEPARATOR = "|"
VERDICT_HELP = ("Write the contestants' names separated by |, e.g. {verdict=AI 1|AI 2}, or as a "
                'JSON list, e.g. {verdict=["AI 1", "AI 2"]}.')


class VerdictError(InputError):
    """Contestants that cannot make a judgement (too few, repeated, empty, too long)."""


def contestants(value: Any) -> tuple[str, ...]:
    """The contestants' names from ``AI 1|AI 2``, a JSON list of names, or a list; checked."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                value = json.loads(text)
            except json.JSONDecodeError as exc:
                raise VerdictError(f"verdict: {text!r} is not a JSON list ({exc.msg}). "
                                   f"{VERDICT_HELP}") from None
        else:
            value = text.split(SEPARATOR)
    if not isinstance(value, (list, tuple)) or not all(isinstance(n, str) for n in value):
        raise VerdictError(f"verdict must name the contestants, got {value!r}. {VERDICT_HELP}")
    names = tuple(" ".join(name.split()) for name in value)
    problem = _names_problem(names)
    if problem:
        raise VerdictError(f"verdict: {problem}. {VERDICT_HELP}")
    return names


def _names_problem(names: tuple[str, ...]) -> str:
    if not 2 <= len(names) <= MAX_CONTESTANTS:
        return f"a judgement needs 2 to {MAX_CONTESTANTS} contestants, got {len(names)}"
    for name in names:
        if not name:
            return "a contestant's name is empty"
        if len(name) > MAX_NAME:
            return f"the name {name[:20]!r}… is longer than {MAX_NAME} characters"
        if name.lower() == TIE:
            return f"{name!r} cannot be a contestant's name (it means a tie)"
    if len(set(names)) < len(names):
        return "a contestant is named twice"
    return ""


def verdict_schema(names: tuple[str, ...]) -> str:
    """The JSON schema (as text) that a judgement's answer must follow: the winner (one of
    ``names`` or ``tie``), a score per contestant, a reason."""
    score = {"enum": list(range(SCORE_MAX + 1))}  # the converter has no integer bounds
    schema = {
        "type": "object",
        "properties": {
            "winner": {"enum": [*names, TIE]},
            "scores": {"type": "object", "properties": {name: score for name in names},
                       "required": list(names), "additionalProperties": False},
            "reason": {"type": "string", "minLength": 1, "maxLength": REASON_MAX},
        },
        "required": ["winner", "scores", "reason"],
        "additionalProperties": False,
    }
    return json.dumps(schema, ensure_ascii=False)


@dataclass(frozen=True)
class Verdict:
    """A judgement read from a judge's answer. ``problem`` is None when the answer was a
    verdict; otherwise it says why not, and ``winner``, ``scores`` and ``reason`` are empty."""

    contestants: tuple[str, ...]
    winner: str | None = None  # a contestant's name, or TIE
    scores: tuple[tuple[str, int], ...] = ()  # (name, score) in the contestants' order
    reason: str = ""
    problem: str | None = None

    @property
    def read(self) -> bool:
        return self.problem is None

    def score(self, name: str) -> int | None:
        return dict(self.scores).get(name)

    def to_dict(self) -> dict[str, Any]:
        return {"contestants": list(self.contestants), "winner": self.winner,
                "scores": dict(self.scores), "reason": self.reason, "problem": self.problem}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Verdict":
        names = tuple(data.get("contestants") or ())
        scores = data.get("scores") or {}
        return cls(names, data.get("winner"), tuple((n, int(scores[n])) for n in names
                                                    if n in scores),
                   str(data.get("reason") or ""), data.get("problem"))


def read_verdict(text: str, names: tuple[str, ...]) -> Verdict:
    """The verdict in a judge's answer, or a :class:`Verdict` that says what is wrong with it."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        if not text.strip():
            return Verdict(names, problem="the answer is empty")
        if exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated string"):
            return Verdict(names, problem="the answer ends before its JSON does (cut short: "
                                          "max_tokens or Stop)")
        return Verdict(names, problem=f"the answer is not JSON ({exc.msg} at character "
                                      f"{exc.pos + 1})")
    if not isinstance(data, dict):
        return Verdict(names, problem=f"the answer is a JSON {_kind(data)}, not an object")
    problem = _fields_problem(data, names)
    if problem:
        return Verdict(names, problem=problem)
    scores = tuple((name, data["scores"][name]) for name in names)
    return Verdict(names, data["winner"], scores, data["reason"].strip())


def _fields_problem(data: dict[str, Any], names: tuple[str, ...]) -> str:
    missing = [key for key in ("winner", "scores", "reason") if key not in data]
    if missing:
        return f"the answer has no {', '.join(missing)}"
    winner, scores, reason = data["winner"], data["scores"], data["reason"]
    if winner not in (*names, TIE):
        return f"the winner {winner!r} is not one of {', '.join(names)} or {TIE}"
    if not isinstance(scores, dict):
        return f"the scores are a JSON {_kind(scores)}, not an object"
    for name in names:
        if name not in scores:
            return f"the answer gives {name} no score"
        value = scores[name]
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= SCORE_MAX:
            return f"{name}'s score {value!r} is not a whole number from 0 to {SCORE_MAX}"
    others = sorted(set(scores) - set(names))
    if others:
        return f"the answer scores {', '.join(others)}, who did not compete"
    if not isinstance(reason, str) or not reason.strip():
        return "the answer gives no reason"
    return ""


def _kind(value: Any) -> str:
    return {list: "array", str: "string", int: "number", float: "number", bool: "boolean",
            type(None): "null"}.get(type(value), type(value).__name__)


@dataclass(frozen=True)
class VerdictWords:
    """How a verdict is said (the web UI passes its language's words)."""

    won: str = "Verdict: {winner} wins. Scores: {scores}. Reason: {reason}"
    tie: str = "Verdict: a tie. Scores: {scores}. Reason: {reason}"
    unread: str = "Verdict: none could be read ({problem}); nothing is guessed."


def verdict_line(verdict: Verdict, words: VerdictWords = VerdictWords()) -> str:
    """One line under the judge's answer."""
    if not verdict.read:
        return words.unread.format(problem=verdict.problem)
    scores = ", ".join(f"{name} {score}/{SCORE_MAX}" for name, score in verdict.scores)
    template = words.tie if verdict.winner == TIE else words.won
    reason = " ".join(verdict.reason.split())
    return template.format(winner=verdict.winner, scores=scores, reason=reason)


def labelled(responses: list[str], names: tuple[str, ...]) -> list[str]:
    """The answers a judgement reads, each of the last ``len(names)`` headed by its
    contestant's name (``AI 1: …``), in order; earlier ones (a question) as they are."""
    start = max(len(responses) - len(names), 0)
    return [*responses[:start],
            *(f"{name}: {text.strip()}" for name, text in zip(names, responses[start:]))]
