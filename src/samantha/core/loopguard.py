"""The loop guard: notices when an answer has started repeating itself.

Small models decoding greedily often fall into a loop: the same sentence, line or handful of
tokens again and again until ``max_tokens``. The guard watches the token ids as they are chosen
(it never changes which token is chosen) and says when the end of the answer is

- one block of tokens written three times in a row, back to back, covering at least 24 tokens
  (a sentence of 12 tokens said three times, a line of 8 tokens three times, one token 24
  times); or
- a block of 6 tokens or more written five times in a row with at most one token changed in
  each copy, covering at least 40 tokens: the numbered list whose items only count
  (``1. Create a new account.`` ``2. Create a new account.`` …).

Repetition that is not back to back is left alone (the rows of an HTML table or the objects of a
JSON list share long runs of tokens, but the text between them differs), and so are lists whose
items differ in two tokens or more (``2 x 1 = 2``, ``2 x 2 = 4``, …).
"""

from __future__ import annotations

import numpy as np

MAX_PERIOD = 512  # the longest block looked for, in tokens
EXACT = (3, 24)  # copies, and tokens they cover, of an exactly repeated block
NEAR = (5, 40, 6)  # copies, tokens covered and shortest block, with one token changed per copy


class LoopGuard:
    """Feed it every chosen token; :meth:`add` returns True once the answer repeats itself."""

    def __init__(self, max_period: int = MAX_PERIOD) -> None:
        self.max_period = max_period
        self.periods = np.arange(1, max_period + 1)
        # for each block length p: how many of the latest tokens equal the token p before them
        # (exact), and how many of the latest tokens hold no two differences closer than p
        # (near), with the position of the last difference
        self.exact = np.zeros(max_period, dtype=np.int64)
        self.near = np.zeros(max_period, dtype=np.int64)
        self.last_change = np.full(max_period, -10 * max_period, dtype=np.int64)
        self.ids = np.zeros(max(4 * max_period, 1024), dtype=np.int64)
        self.kept = 0  # tokens in ``ids`` (the latest ones)
        self.seen = 0  # tokens added in all
        self.period: int | None = None  # the block length, once a loop is found

    def add(self, token: int) -> bool:
        if self.kept == len(self.ids):  # keep only what the longest block can look back at
            self.ids[:self.max_period] = self.ids[self.kept - self.max_period:self.kept]
            self.kept = self.max_period
        self.ids[self.kept] = token
        self.kept += 1
        position, self.seen = self.seen, self.seen + 1
        reach = min(self.max_period, self.kept - 1)
        if reach == 0:
            return False
        p = self.periods[:reach]
        same = self.ids[self.kept - 1 - p] == token
        self.exact[:reach] = np.where(same, self.exact[:reach] + 1, 0)
        gap = position - self.last_change[:reach]
        near = self.near[:reach]
        self.near[:reach] = np.where(same | (gap >= p), near + 1, gap)
        self.last_change[:reach] = np.where(same, self.last_change[:reach], position)
        copies, least = EXACT
        covered = self.exact[:reach] + p
        looping = (covered >= copies * p) & (covered >= least)
        copies, least, shortest = NEAR
        covered = self.near[:reach] + p
        looping |= (covered >= copies * p) & (covered >= least) & (p >= shortest)
        if looping.any():
            self.period = int(p[looping.argmax()])
            return True
        return False
