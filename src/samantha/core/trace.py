"""Learning mode: what the sampler chain saw and did for each generated token.

A :class:`TokenStep` holds the top-N raw candidates (the model's own scores, before any
hyperparameter), how many candidates each stage kept, the survivors' final probabilities, and the
chosen token, identified **by id**, with its rank among the raw scores. Only the shown candidates
are turned into text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from samantha.core.candidates import Buffers, StageCount, StageView
from samantha.core.lens import AttentionView, LayerLens
from samantha.core.raw_scores import RawScores
from samantha.core.sampler_chain import Pick

MAX_TOP = 1000


@dataclass(frozen=True)
class Candidate:
    id: int
    piece: str  # the token's text, shown safely (see display_piece)
    logit: float
    p: float  # softmax of the raw logits over the whole vocabulary


@dataclass(frozen=True)
class Survivor:
    id: int
    p: float  # probability in the final draw (after every stage and the temperature)


@dataclass(frozen=True)
class TokenStep:
    step: int
    token_id: int
    piece: str
    rank: int  # 1 = the model's most likely token
    logit: float
    p: float
    entropy: float  # of the raw distribution, in nats
    candidates: tuple[Candidate, ...]
    stages: tuple[StageCount, ...]
    final: tuple[Survivor, ...]
    seconds: float = 0.0
    source: str = ""  # for a remote backend: what its probabilities are (empty: our chain)
    views: tuple[StageView, ...] = ()  # the survivors of each active stage, in chain order
    pieces: Mapping[int, str] = field(default_factory=dict)  # views' tokens not among candidates
    layers: LayerLens | None = None  # what each layer would say (the logit lens), when asked
    attention: AttentionView | None = None  # where each layer's heads looked, when asked

    def piece_of(self, token: int) -> str:
        """The text of a token of this step (a candidate or one of the views' survivors)."""
        for c in self.candidates:
            if c.id == token:
                return c.piece
        return self.pieces.get(token, "?")

    def to_dict(self) -> dict[str, Any]:
        """As stored and exported (written out field by field: ``dataclasses.asdict`` took
        longer than choosing the token)."""
        return {
            "step": self.step, "token_id": self.token_id, "piece": self.piece,
            "rank": self.rank, "logit": self.logit, "p": self.p, "entropy": self.entropy,
            "candidates": [{"id": c.id, "piece": c.piece, "logit": c.logit, "p": c.p}
                           for c in self.candidates],
            "stages": [{"name": s.name, "kept": s.kept, "active": s.active}
                       for s in self.stages],
            "final": [{"id": f.id, "p": f.p} for f in self.final],
            "seconds": self.seconds, "source": self.source,
            "views": [{"name": v.name, "kept": v.kept,
                       "survivors": [[i, p] for i, p in v.survivors]} for v in self.views],
            "pieces": {str(k): v for k, v in self.pieces.items()},
            "layers": None if self.layers is None else self.layers.to_dict(),
            "attention": None if self.attention is None else self.attention.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "TokenStep":
        return cls(
            **{**data,
               "candidates": tuple(Candidate(**c) for c in data["candidates"]),
               "stages": tuple(StageCount(**s) for s in data["stages"]),
               "final": tuple(Survivor(**f) for f in data["final"]),
               "views": tuple(StageView(v["name"], v["kept"],
                                        tuple((int(i), float(p)) for i, p in v["survivors"]))
                              for v in data.get("views", ())),
               "pieces": {int(k): v for k, v in data.get("pieces", {}).items()},
               "layers": LayerLens.from_dict(data["layers"]) if data.get("layers") else None,
               "attention": AttentionView.from_dict(data["attention"])
               if data.get("attention") else None})


def display_piece(raw: bytes) -> str:
    """A token's bytes as readable text: UTF-8 when valid, else hex escapes such as ``\\xe2``."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return "".join(chr(b) if 32 <= b < 127 else f"\\x{b:02x}" for b in raw)


_CONTROL = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}
_WHITESPACE = {" ": "␣", "\n": "⏎", "\t": "⇥", "\r": "␍", "\u00a0": "⍽"}


def printable(text: str) -> str:
    """A piece for a table or a label: control characters written as escapes (``\\n``)."""
    return "".join(_CONTROL.get(ch, f"\\x{ord(ch):02x}") if ord(ch) < 32 or ord(ch) == 127
                   else ch for ch in text)


def visible(text: str) -> str:
    """A token's text with its whitespace made visible, for learning mode: a space is ``␣``, a
    new line ``⏎``, a tab ``⇥``, a no-break space ``⍽`` (so `` of`` reads ``␣of``); other
    control characters are written as escapes (``\\x07``)."""
    return printable("".join(_WHITESPACE.get(ch, ch) for ch in text))


def make_step(step: int, logits: np.ndarray, pick: Pick, top: int,
              piece: Callable[[int], bytes], seconds: float = 0.0,
              buffers: Buffers | None = None) -> TokenStep:
    """Build the record of one token from the raw logits and what the chain did with them
    (``buffers``: the chain's, so that the vocabulary-sized arithmetic allocates nothing)."""
    top = max(1, min(top, MAX_TOP, len(logits)))
    raw = pick.raw
    if raw is None or len(raw.top) < top:  # summed by the chain when it made the views
        raw = RawScores.of(logits, top, buffers or Buffers())
    shown = raw.top[:top]
    chosen = pick.token
    at = np.flatnonzero(shown == chosen)
    if len(at):  # every token scoring higher is shown too
        rank = int(np.count_nonzero(logits[shown[: at[0]]] > logits[chosen])) + 1
    else:
        rank = int(np.count_nonzero(logits > logits[chosen])) + 1
    survivors = pick.survivors.sorted()
    final_p = survivors.probs()[:top]
    listed = set(shown.tolist())
    return TokenStep(
        step=step,
        token_id=chosen,
        piece=display_piece(piece(chosen)),
        rank=rank,
        logit=float(logits[chosen]),
        p=raw.p(logits[chosen]),
        entropy=raw.entropy,
        candidates=tuple(Candidate(int(i), display_piece(piece(int(i))), float(logits[i]),
                                   raw.p(logits[i])) for i in shown),
        stages=pick.stages,
        final=tuple(Survivor(int(i), float(p)) for i, p in zip(survivors.ids[:top], final_p)),
        seconds=seconds,
        views=pick.views,
        pieces={token: display_piece(piece(token)) for view in pick.views
                for token, _ in view.survivors if token not in listed},
    )


def unlikely_choices(steps: Sequence[TokenStep]) -> list[tuple[str, int]]:
    """The chosen tokens that were not the most likely one: (text, rank), in order."""
    return [(s.piece, s.rank) for s in steps if s.rank > 1]


def is_chosen(step: TokenStep, candidate: Candidate) -> bool:
    """Is this candidate the chosen token? By id; by text when the backend gave no ids."""
    if candidate.id < 0 or step.token_id < 0:
        return candidate.piece == step.piece
    return candidate.id == step.token_id


def vocabulary_size(step: TokenStep) -> int:
    """The candidates our chain started from (0 for a remote backend's step: unknown)."""
    return step.stages[0].kept if step.stages and not step.source else 0


def stage_summary(step: TokenStep, vocabulary: int) -> str:
    """``262144 -> top-k 40 -> tail-free 12 -> ... -> 3`` (stages that were off are left out).
    A remote backend's step says what its numbers are instead, with its survivor count."""
    if step.source:
        kept = "; ".join(f"{s.name}: {s.kept} left" for s in step.stages)
        return f"{step.source}" + (f" ({kept})" if kept else "")
    parts = [str(vocabulary)]
    for stage in step.stages:
        if stage.active and stage.name != "penalties":
            parts.append(f"{stage.name} {stage.kept}")
    return " -> ".join(parts)


# -- plot data (pure) -----------------------------------------------------------------------------
def candidate_bars(step: TokenStep) -> list[dict[str, Any]]:
    """Bars of the candidates' probabilities, the chosen one marked."""
    return [{"label": f"{rank}. {visible(c.piece)}", "p": c.p, "chosen": is_chosen(step, c)}
            for rank, c in enumerate(step.candidates, start=1)]


def rank_series(steps: Sequence[TokenStep]) -> list[dict[str, int]]:
    """Where along the response a token other than the most likely was chosen, and its rank."""
    return [{"step": s.step, "rank": s.rank} for s in steps if s.rank > 1]


def entropy_series(steps: Sequence[TokenStep]) -> list[dict[str, float]]:
    """The uncertainty of the model at each step (entropy of the raw distribution, nats)."""
    return [{"step": s.step, "entropy": s.entropy} for s in steps]
