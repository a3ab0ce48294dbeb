"""The sampler chain: the stages that change scores (:mod:`samantha.core.stages_scores`,
:mod:`samantha.core.stages_dry`) and cut the list (:mod:`samantha.core.stages_filters`), in the
order the settings give (``samplers``), then the stage that chooses (:mod:`~.stages_draws`).

::

    logits -> [grammar] -> [logit bias] -> penalties -> dry -> top-n-sigma -> top-k
           -> tail-free -> typical -> top-p -> min-p -> xtc -> temperature -> draw

A grammar always runs first and a logit bias right after it. Mirostat replaces the filters and
the draw, as in llama.cpp: ``logits -> [logit bias] -> temperature -> mirostat``. Every stage
whose setting switches it off passes its input through, so the default settings give the same
answers as before these stages existed.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Mapping, Protocol

import numpy as np

from samantha.core.candidates import (
    Buffers,
    Candidates,
    Stage,
    StageCount,
    StageView,
    stage_view,
    top_indices,
)
from samantha.core.raw_scores import SPARE, Changed, RawScores
from samantha.core.setting_lists import DEFAULT_ORDER
from samantha.core.settings import Settings
from samantha.core.stages_draws import Draw, Mirostat, MirostatV2
from samantha.core.stages_dry import Dry
from samantha.core.stages_filters import (
    MinP,
    MinPKeep,
    TailFree,
    TopK,
    TopNSigma,
    TopP,
    TopPKeep,
    Typical,
    TypicalKeep,
    Xtc,
    _typical_sees_one_or_none,
)
from samantha.core.stages_scores import DynamicTemperature, LogitBias, Penalties, Temperature

XTC_SALT = 0x5851F42D  # XTC draws from its own generator, seeded apart from the draw's
SCORE_STAGES = ("logit-bias", "penalties", "dry")  # they change the scores of a few tokens only
NARROW = 2048  # how many of the best-scoring tokens a grammar sees first


@dataclass(frozen=True)
class Pick:
    """A chosen token with what each stage kept and the survivors before the draw (and, when
    asked for, a view of each active stage's survivors)."""

    token: int
    stages: tuple[StageCount, ...]
    survivors: Candidates
    views: tuple[StageView, ...] = ()
    raw: RawScores | None = None  # the raw softmax's sums, when views were asked for


class Constraint(Protocol):
    """A grammar (see ``engines/llama_grammar.py``): which tokens may come next."""

    allowed_count: int
    dead_end: bool

    def apply(self, ids: np.ndarray, logits: np.ndarray) -> np.ndarray: ...

    def allows(self, token: int) -> bool: ...

    def accept(self, token: int) -> None: ...


class Grammar:
    """The first stage when a grammar is given: the candidates it does not allow go."""

    name = "grammar"
    active = True

    def __init__(self, constraint: Constraint) -> None:
        self.constraint = constraint

    def apply(self, cands: Candidates) -> Candidates:
        logits = self.constraint.apply(cands.ids, cands.logits)
        keep = np.flatnonzero(np.isfinite(logits))
        return Candidates(cands.ids[keep], logits[keep], cands.is_sorted)


class SamplerChain:
    """The configured stages plus the draw. Feed it each accepted token with :meth:`accept`.

    ``constraint``: a grammar, run first; to stay fast, :meth:`sample` first picks without it
    and asks the grammar only about that token, as llama.cpp does. ``breakers``: DRY's
    sequence breakers as token ids (:func:`samantha.core.stages_dry.dry_breakers`). ``n_vocab``:
    the model's vocabulary size (mirostat 1 needs it)."""

    def __init__(self, settings: Settings, seed: int, constraint: Constraint | None = None,
                 breakers: Mapping[int, tuple[tuple[int, ...], ...]] | None = None,
                 n_vocab: int = 0) -> None:
        s = settings
        self.penalties = Penalties(s.repeat_penalty, s.presence_penalty, s.frequency_penalty,
                                   s.penalty_last_n)
        self.dry = Dry(s.dry_multiplier, s.dry_base, s.dry_allowed_length, s.dry_penalty_last_n,
                       breakers)
        bias = {int(k): v for k, v in s.logit_bias if isinstance(k, int)}
        self._bias = LogitBias(bias) if bias else None
        front: list[Stage] = [self._bias] if self._bias is not None else []
        self.mirostat: Mirostat | MirostatV2 | None = None
        if s.mirostat:
            self.mirostat = (Mirostat(s.mirostat_tau, s.mirostat_eta, n_vocab or 1, seed)
                             if s.mirostat == 1 else
                             MirostatV2(s.mirostat_tau, s.mirostat_eta, seed))
            self.stages: tuple[Stage, ...] = (*front, Temperature(s.temperature),
                                              self.mirostat)
        else:
            named = self._stages(s, seed)
            self.stages = (*front, *(named[name] for name in s.samplers))
        self.constraint = constraint
        self.draw = Draw(seed)
        self.greedy = (not s.mirostat and "temperature" in s.samplers
                       and s.temperature <= 0.0)
        plain = (s.samplers == DEFAULT_ORDER and not self.dry.active
                 and not named_active(self.stages, ("xtc", "top-n-sigma"))
                 and s.dynatemp_range <= 0.0 and s.min_keep <= 1)
        self._argmax_only = self.greedy and plain and _typical_sees_one_or_none(s)
        self._ids = np.arange(0)  # arange(n_vocab), made once and reused for every token
        self._work = np.zeros(0, dtype=np.float32)  # a scratch copy of each token's logits
        self.buffers = Buffers()  # for learning mode's views (and its trace)
        self._cut_at = self._top_k_first()

    def _top_k_first(self) -> int:
        """Where top-k is in the chain if no stage before it does more than change the scores
        of a few tokens (so only the best-scoring tokens can get through it), else -1."""
        for at, stage in enumerate(self.stages):
            if stage.name == "top-k":
                return at if stage.active and self.mirostat is None else -1
            if stage.active and stage.name not in SCORE_STAGES:
                return -1
        return -1

    def _stages(self, s: Settings, seed: int) -> dict[str, Stage]:
        keep = s.min_keep
        temperature: Stage = (DynamicTemperature(s.temperature, s.dynatemp_range,
                                                 s.dynatemp_exponent)
                              if s.dynatemp_range > 0 else Temperature(s.temperature))
        return {
            "penalties": self.penalties,
            "dry": self.dry,
            "top-n-sigma": TopNSigma(s.top_n_sigma),
            "top-k": TopK(s.top_k),
            "tail-free": TailFree(s.tfs_z),
            "typical": TypicalKeep(s.typical_p, keep) if keep > 1 else Typical(s.typical_p),
            "top-p": TopPKeep(s.top_p, keep) if keep > 1 else TopP(s.top_p),
            "min-p": MinPKeep(s.min_p, keep) if keep > 1 else MinP(s.min_p),
            "xtc": Xtc(s.xtc_probability, s.xtc_threshold, keep, seed ^ XTC_SALT),
            "temperature": temperature,
        }

    def describe(self) -> str:
        """The order of the chain, as shown to users: ``logits -> penalties -> ... -> draw``."""
        last = [] if self.mirostat else ["greedy" if self.greedy else "draw"]
        first = ["grammar"] if self.constraint is not None else []
        return " -> ".join(["logits", *first, *(s.name for s in self.stages), *last])

    def accept(self, token: int) -> None:
        self.penalties.accept(token)
        self.dry.accept(token)
        if self.constraint is not None:
            self.constraint.accept(token)

    def sample(self, logits: np.ndarray) -> int:
        """The next token from a row of raw logits (not modified)."""
        if self.constraint is None:
            return self._sample(logits)
        if self.mirostat is not None or named_active(self.stages, ("xtc",)):
            return self.pick(logits).token  # their state moves with each try: one try only
        state = self.draw.rng.bit_generator.state  # a rejected pick must not use up a draw
        token = self._sample(logits)
        if self.constraint.allows(token):
            return token
        self.draw.rng.bit_generator.state = state
        best = self._pick_among_the_best(logits, self.constraint)
        return self.pick(logits).token if best is None else best

    def _pick_among_the_best(self, logits: np.ndarray, constraint: Constraint) -> int | None:
        """The grammar's pick without asking it about the whole vocabulary (which takes about
        a tenth of a second for 262,144 tokens), when top-k comes first: the grammar sees the
        ``NARROW`` best-scoring tokens and those a bias or a penalty may raise. If ``k`` of them
        get through top-k above the score of every token left out, they are the ``k`` the
        whole chain keeps, and the rest of the chain runs on them. None: ask about all."""
        at = self._cut_at
        k = getattr(self.stages[at], "k", 0) if at >= 0 else 0
        n = len(logits)
        if not k or max(NARROW, 8 * k) >= n:
            return None
        best = top_indices(logits, max(NARROW, 8 * k))
        floor = logits[best].min()  # no token left out scores higher, before or after
        ids = np.union1d(best, np.asarray(self._raisable(n), dtype=np.int64))
        cands = Grammar(constraint).apply(Candidates(ids, logits[ids]))
        for stage in self.stages[: at + 1]:
            cands = stage.apply(cands)
        if len(cands) < k or cands.logits.min() < floor:
            return None
        for stage in self.stages[at + 1:]:
            cands = stage.apply(cands)
        return self.draw.pick(cands)

    def _sample(self, logits: np.ndarray) -> int:
        """The chain's pick, the grammar left out."""
        if self._argmax_only:
            return self._greedy(logits)
        return self.pick(logits, grammar=False).token

    def _greedy(self, logits: np.ndarray) -> int:
        """The best token after the bias and the penalties (what the whole greedy chain picks
        when no other stage can change the winner), without copying the vocabulary: the best
        raw score wins unless one of the few tokens they change beats it."""
        n = len(logits)
        changed: dict[int, np.float32] = {}
        if self._bias is not None:
            for token, delta in self._bias.biases.items():
                if 0 <= token < n:  # as the stage adds it: in float64, stored as float32
                    changed[token] = np.float32(float(logits[token]) + delta)
        if self.penalties.active:
            for token, count in Counter(self.penalties.recent).items():
                if 0 <= token < n:
                    changed[token] = self.penalties.penalised(changed.get(token, logits[token]),
                                                              count)
        best = int(np.argmax(logits))
        if best in changed:  # the best of the unchanged ones is among the top len(changed)+1
            top = top_indices(logits, len(changed) + 1) if len(changed) + 1 < n else range(n)
            others = [int(t) for t in top if int(t) not in changed]
            best = min(others, key=lambda t: (-logits[t], t)) if others else -1
        winner, score = best, (logits[best] if best >= 0 else -np.inf)
        for token, value in changed.items():
            if value > score or (value == score and (token < winner or winner < 0)):
                winner, score = token, value
        return winner

    def _everything(self, logits: np.ndarray) -> Candidates:
        """The whole vocabulary, its logits copied into a buffer the chain reuses (a fresh
        megabyte per token would cost more than copying into the same one)."""
        if len(self._ids) != len(logits):
            self._ids = np.arange(len(logits))
        if self._work.shape != logits.shape or self._work.dtype != logits.dtype:
            self._work = np.empty_like(logits)
        np.copyto(self._work, logits)
        return Candidates(self._ids, self._work, whole=True, owned=True)

    def pick(self, logits: np.ndarray, grammar: bool = True, views: int = 0,
             chosen: int | None = None) -> Pick:
        """Run every stage, recording how many candidates each one kept (the grammar's stage
        too, unless ``grammar`` is False) and, with ``views`` > 0, that many of the survivors
        of each active stage (:class:`StageView`). ``chosen``: that token instead of a draw
        (a branch), marked in the views wherever it survived."""
        if not views:
            return self._run(self._everything(logits), grammar, 0, chosen)
        raw = RawScores.of(logits, views + SPARE, self.buffers)
        if self.constraint is None or not grammar:
            narrowed = self._pick_narrowed(logits, raw, views, chosen)
            if narrowed is not None:
                return narrowed
        return self._run(self._everything(logits), grammar, views, chosen, raw)

    def pick_among(self, cands: Candidates, views: int = 0) -> Pick:
        """:meth:`pick` over some candidates only (a stored trace's top N), the grammar left
        out."""
        return self._run(cands, False, views)

    def _pick_narrowed(self, logits: np.ndarray, raw: RawScores, views: int,
                       chosen: int | None) -> Pick | None:
        """:meth:`pick` with views, without a pass over the vocabulary after the raw sums,
        when top-k comes first (only a bias and the penalties before it). The best raw scores
        and the tokens a bias or a penalty may raise are the only ones that can get through
        top-k, so the chain runs on them; the views of the stages before top-k come from the
        raw sums (:class:`Changed`). None when that cannot be known: run on every token."""
        at = self._cut_at
        k = getattr(self.stages[at], "k", 0) if at >= 0 else 0
        n = len(logits)
        if not k or k >= len(raw.top) or len(raw.top) >= n or self.dry.active:
            return None
        floor = logits[raw.top[-1]]  # no token left out scores higher, before or after
        raisable = self._raisable(n)
        ids = (np.union1d(raw.top, np.asarray(raisable, dtype=np.int64)) if raisable else
               np.sort(raw.top))
        cands = Candidates(ids, logits[ids])
        counts: list[StageCount] = []
        seen: list[tuple[str, Candidates | Changed]] = []
        for stage in self.stages[:at]:
            cands = stage.apply(cands)
            counts.append(StageCount(stage.name, n, stage.active))
            if stage.active:
                changed = Changed.among(raw, ids, cands.logits, n, len(raw.top) - views)
                if changed is None:
                    return None
                seen.append((stage.name, changed))
        cut = self.stages[at].apply(cands)
        if len(cut) < k or cut.logits.min() <= floor:
            return None
        counts.append(StageCount(self.stages[at].name, k, True))
        seen.append((self.stages[at].name, cut))
        return self._finish(cut, self.stages[at + 1:], views, chosen, raw, counts, seen)

    def _raisable(self, n: int) -> list[int]:
        """The tokens whose scores a bias or the penalties may raise."""
        tokens = [*(self._bias.biases if self._bias else ()),
                  *(self.penalties.recent if self.penalties.active else ())]
        return [t for t in tokens if 0 <= t < n]

    def _run(self, cands: Candidates, grammar: bool, views: int,
             chosen: int | None = None, raw: RawScores | None = None) -> Pick:
        stages = self.stages
        if self.constraint is not None and grammar:
            stages = (Grammar(self.constraint), *stages)
        return self._finish(cands, stages, views, chosen, raw, [], [])

    def _finish(self, cands: Candidates, stages: tuple[Stage, ...], views: int,
                chosen: int | None, raw: RawScores | None, counts: list[StageCount],
                seen: list[tuple[str, Candidates | Changed]]) -> Pick:
        """Run ``stages`` after those already counted and seen, then choose."""
        for stage in stages:
            cands = stage.apply(cands)
            counts.append(StageCount(stage.name, len(cands), stage.active))
            if views and stage.active:  # the scratch copy changes in place: keep this state
                seen.append((stage.name, self._state(len(seen), cands, raw, views)))
        if cands.owned:  # nothing was cut: the survivors must outlive the buffer
            cands = _kept(cands)
        chooser = self.mirostat if self.mirostat is not None else self.draw
        token = chooser.pick(cands) if chosen is None else chosen
        shown = tuple(self._view(name, state, raw, views, token) for name, state in seen)
        return Pick(token, tuple(counts), cands, shown, raw)

    def _view(self, name: str, state: Candidates | Changed, raw: RawScores | None, views: int,
              token: int) -> StageView:
        if isinstance(state, Changed):
            assert raw is not None  # a Changed is only made against the raw scores (_state)
            return state.view(name, raw, views, token)
        return stage_view(name, state, views, token, self.buffers)

    def _state(self, at: int, cands: Candidates, raw: RawScores | None,
               views: int) -> Candidates | Changed:
        """What a stage's view needs: the few scores it changed (the penalties, a bias, DRY),
        or the candidates as they are now."""
        if raw is not None and cands.owned:
            changed = Changed.between(raw, cands, len(raw.top) - views)
            if changed is not None:
                return changed
        return self._snapshot(at, cands)

    def _snapshot(self, at: int, cands: Candidates) -> Candidates:
        """The candidates as they are now: the scratch copy's state copied into a buffer kept
        for this stage's view (other candidates are never changed in place)."""
        if not cands.owned:
            return cands
        kept = self.buffers.like(f"stage {at}", cands.logits, cands.logits.dtype)
        np.copyto(kept, cands.logits)
        return Candidates(cands.ids, kept, cands.is_sorted, cands.whole)


def _kept(cands: Candidates) -> Candidates:
    """Candidates of their own (not the chain's scratch copy, which the next token reuses;
    the ids are never changed)."""
    return Candidates(cands.ids, cands.logits.copy(), cands.is_sorted, cands.whole)


def named_active(stages: tuple[Stage, ...], names: tuple[str, ...]) -> bool:
    return any(stage.name in names and stage.active for stage in stages)
