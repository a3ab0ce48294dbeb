"""The loop guard: notices when an answer has started repeating itself.

Small models decoding greedily often fall into a loop: the same sentence, line or handful of
tokens again and again until ``max_tokens``. The guard watches the token ids as they are chosen
(it never changes which token is chosen) and says when the end of the answer is one block of
tokens written three times in a row, back to back, covering at least 24 tokens: a sentence of
12 tokens said three times, a line of 8 tokens three times, or one token 24 times.

Repetition that is not back to back is left alone: the rows of an HTML table or the objects of a
JSON list share long runs of tokens, but the text between them differs.
"""

from __future__ import annotations

import numpy as np

TIMES = 3  # copies of the block, back to back
MIN_SPAN = 24  # tokens the copies cover together, at least
MAX_PERIOD = 512  # the longest block looked for, in tokens


class LoopGuard:
    """Feed it every chosen token; :meth:`add` returns True once the answer repeats itself."""

    def __init__(self, times: int = TIMES, min_span: int = MIN_SPAN,
                 max_period: int = MAX_PERIOD) -> None:
        self.times, self.min_span, self.max_period = times, min_span, max_period
        self.periods = np.arange(1, max_period + 1)
        # run[p - 1]: how many of the latest tokens equal the token p places before them
        self.run = np.zeros(max_period, dtype=np.int64)
        self.ids = np.zeros(max(4 * max_period, 1024), dtype=np.int64)
        self.count = 0
        self.period: int | None = None  # the block length, once a loop is found

    def add(self, token: int) -> bool:
        if self.count == len(self.ids):  # keep only what the longest block can look back at
            keep = self.max_period
            self.ids[:keep] = self.ids[self.count - keep:self.count]
            self.count = keep
        self.ids[self.count] = token
        self.count += 1
        reach = min(self.max_period, self.count - 1)
        if reach == 0:
            return False
        earlier = self.ids[self.count - 1 - self.periods[:reach]]
        same = earlier == token
        self.run[:reach] = np.where(same, self.run[:reach] + 1, 0)
        # the last run + p tokens are copies of one block of p tokens
        covered = self.run[:reach] + self.periods[:reach]
        looping = (covered >= self.times * self.periods[:reach]) & (covered >= self.min_span)
        if looping.any():
            self.period = int(self.periods[:reach][looping.argmax()])
            return True
        return False
