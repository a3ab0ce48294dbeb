"""The stages that choose the token: the draw (greedy at temperature 0) and mirostat 1 and 2,
which replace the filters and the draw and keep the text's surprise near a target.

The semantics follow llama.cpp's samplers (see :mod:`samantha.core.candidates` for what a stage
is).
"""

from __future__ import annotations

import numpy as np

from samantha.core.candidates import Candidates, seeded_generator
from samantha.core.errors import NothingAllowed
from samantha.core.stages_filters import TopK


class Draw:
    """Pick one survivor at random, in proportion to its probability, from a seeded generator."""

    name = "draw"

    def __init__(self, seed: int) -> None:
        self.rng = np.random.Generator(np.random.PCG64(seed))

    def pick(self, cands: Candidates) -> int:
        if not len(cands) or np.max(cands.logits) == -np.inf:
            raise NothingAllowed("No candidate is left to choose from: the grammar allows no "
                                 "token here, or every candidate was banned (a logit bias of "
                                 "-inf). Check that the grammar can go on from what was "
                                 "written, or ban fewer tokens.")
        if len(cands) == 1:
            return int(cands.ids[0])
        cumulative = np.cumsum(cands.probs())
        at = int(np.searchsorted(cumulative, self.rng.random() * cumulative[-1], side="right"))
        return int(cands.ids[min(at, len(cands) - 1)])


class _MirostatBase:
    """What both Mirostats share: ``mu``, the draw and the learning step.

    Use: ``kept = m.apply(cands)`` keeps the candidates whose surprise fits ``mu`` (this count is
    what learning mode shows), then ``m.pick(kept)`` draws one of them and moves ``mu``;
    ``m.sample(cands)`` does both. In llama.cpp only logit bias and temperature run before it."""

    name = "mirostat"

    def __init__(self, tau: float, eta: float, seed: int) -> None:
        self.tau, self.eta, self.seed = tau, eta, seed
        self.reset()

    @property
    def active(self) -> bool:
        return True

    def reset(self) -> None:
        """``mu`` back to ``2 * tau`` and the generator back to its seed."""
        self.mu = 2.0 * self.tau
        self.rng = seeded_generator(self.seed)

    def apply(self, cands: Candidates) -> Candidates:
        raise NotImplementedError

    def pick(self, kept: Candidates) -> int:
        """Draw one of ``kept`` (what :meth:`apply` returned) in proportion to its probability,
        then move ``mu`` by ``eta`` times how much more surprising it was than ``tau``."""
        probs = kept.probs()
        cumulative = np.cumsum(probs)
        at = int(np.searchsorted(cumulative, self.rng.random() * cumulative[-1], side="right"))
        at = min(at, len(kept) - 1)
        surprise = -np.log2(probs[at])  # in bits
        self.mu -= self.eta * float(surprise - self.tau)
        return int(kept.ids[at])

    def sample(self, cands: Candidates) -> int:
        return self.pick(self.apply(cands))


class Mirostat(_MirostatBase):
    """Mirostat 1 (llama.cpp's ``mirostat``): keeps the top k candidates, k worked out from ``mu``
    and the Zipf exponent estimated on the ``m`` most likely candidates; ``tau`` is the target
    surprise in bits, ``eta`` the learning rate, ``n_vocab`` the model's vocabulary size."""

    name = "mirostat"

    def __init__(self, tau: float, eta: float, n_vocab: int, seed: int, m: int = 100) -> None:
        self.n_vocab, self.m = n_vocab, m
        super().__init__(tau, eta, seed)

    def apply(self, cands: Candidates) -> Candidates:
        if len(cands) <= 1:
            return cands
        return TopK(self.estimate_k(cands)).apply(cands)

    def estimate_k(self, cands: Candidates) -> int:
        """How many candidates to keep for the current ``mu`` (at least 1).

        Fits the Zipf exponent ``s`` of the ``m`` best probabilities (``p_i`` falls like
        ``1 / i ** s``), then takes the k whose expected surprise is ``mu``. A k too large for a
        32-bit int wraps to 1 in llama.cpp (undefined behaviour in C++); here it keeps all."""
        probs = cands.probs()
        n = len(probs)
        head = np.sort(probs[np.argpartition(-probs, min(self.m, n) - 1)[:self.m]])[::-1]
        count = max(min(self.m - 1, n - 1), 0)
        rank = np.arange(count, dtype=np.float64)
        with np.errstate(all="ignore"):  # a degenerate estimate gives nan or inf, handled below
            t = np.log((rank + 2) / (rank + 1))
            b = np.log(head[:count] / head[1:count + 1])
            s_hat = (t * b).sum() / (t * t).sum()  # the Zipf exponent
            epsilon = s_hat - 1
            two_mu, vocab = np.float64(2.0) ** self.mu, np.float64(self.n_vocab)
            k = (epsilon * two_mu / (1 - vocab ** -epsilon)) ** (1 / s_hat)
        if np.isnan(k):
            return 1
        return int(max(1, min(k, n)))


class MirostatV2(_MirostatBase):
    """Mirostat 2 (llama.cpp's ``mirostat-v2``): keeps the most likely candidates whose surprise
    (``-log2 p``) is at most ``mu`` (at least one); ``tau`` is the target surprise in bits and
    ``eta`` the learning rate."""

    name = "mirostat-v2"

    def apply(self, cands: Candidates) -> Candidates:
        if len(cands) <= 1:
            return cands
        probs = cands.probs()
        with np.errstate(divide="ignore"):
            keep = np.flatnonzero(-np.log2(probs) <= self.mu)
        if not len(keep):
            keep = np.array([int(np.argmax(probs))])  # the best one, always
        return cands.take(keep)
