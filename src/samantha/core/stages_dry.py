"""DRY ("Don't Repeat Yourself"): a penalty on the token that would make the answer repeat itself.

Classic repeat penalties punish single words the answer already used. DRY looks for sequences:
if the last few tokens of the answer also appeared earlier, the token that came *after* them back
then is the one that would continue the copy, and DRY lowers its score, more steeply the longer
the copy already is (``multiplier * base ** (length - allowed_length)``). Sequence breakers
(a newline, ``:``, a quote...) stop a match, so that repeated structure such as ``Name:`` at the
start of every line is not punished.

This follows llama.cpp's ``llama_sampler_dry_apply`` (ported there from KoboldCpp). Reading
order: :class:`Dry`, then :func:`dry_breakers`, which turns breaker strings into the token form
that :class:`Dry` uses.
"""

from __future__ import annotations

import dataclasses
import math
from collections import deque
from typing import Callable, Iterable, Mapping, Sequence

import numpy as np

from samantha.core.candidates import Candidates
from samantha.core.setting_lists import MAX_BREAKER_BYTES

#: A breaker's head token -> the token tails that complete a breaker starting with it. An empty
#: tail means the head token alone contains a whole breaker.
Breakers = Mapping[int, Sequence[Sequence[int]]]

# llama.cpp truncates each breaker string to MAX_BREAKER_BYTES (40: the settings refuse
MAX_TAIL_TOKENS = 20  # longer ones) and each tail to 20 tokens, which keeps the scan linear
FLOAT_MAX_LOG = 88.7228391  # log of the largest float32: base ** exponent must stay below it


class Dry:
    """DRY over the answer's tokens (fed with :meth:`accept`), llama.cpp's ``dry`` sampler.

    ``penalty_last_n`` is how many of the latest tokens are searched: -1 (any negative) the whole
    answer, 0 switches DRY off. A repetition counts once it is ``allowed_length`` tokens long or
    longer; ``breakers`` is the mapping built by :func:`dry_breakers`. Like llama.cpp, DRY is
    also off when ``multiplier`` is 0 or ``base`` is below 1.
    """

    name = "dry"

    def __init__(self, multiplier: float, base: float, allowed_length: int,
                 penalty_last_n: int, breakers: Breakers | None = None) -> None:
        self.multiplier, self.base = multiplier, base
        self.allowed_length, self.penalty_last_n = allowed_length, penalty_last_n
        self.breakers: dict[int, tuple[tuple[int, ...], ...]] = {
            int(head): tuple(tuple(int(t) for t in tail) for tail in tails)
            for head, tails in (breakers or {}).items()
        }
        window = None if penalty_last_n < 0 else penalty_last_n
        self.recent: deque[int] = deque(maxlen=window)

    @property
    def active(self) -> bool:
        return self.multiplier != 0.0 and self.base >= 1.0 and self.penalty_last_n != 0

    def accept(self, token: int) -> None:
        if self.active:
            self.recent.append(int(token))

    def reset(self) -> None:
        self.recent.clear()

    def apply(self, cands: Candidates) -> Candidates:
        """Lower the score of every token that would extend a long enough repetition."""
        if not self.active or len(self.recent) <= self.allowed_length:
            return cands
        tokens = list(self.recent)
        limit = self._repeat_limit(tokens)
        if limit < self.allowed_length:
            return cands
        most = max_exponent(self.base)
        multiplier, base = float(np.float32(self.multiplier)), float(np.float32(self.base))
        ids, penalties = [], []
        for token, length in self._continuations(tokens, limit).items():
            if () in self.breakers.get(token, ()):
                continue  # a token that is itself a breaker is never penalised
            exponent = length - self.allowed_length
            if most > 0:
                exponent = min(exponent, most)
            ids.append(token)
            penalties.append(multiplier * base ** exponent)  # in double, as std::pow(float, int)
        with np.errstate(over="ignore"):  # past the largest float32: inf, as in llama.cpp
            deltas = -np.array(penalties, dtype=np.float64).astype(np.float32)
        return shift_logits(cands, ids, deltas) if ids else cands

    def _repeat_limit(self, tokens: list[int]) -> int:
        """How long a repetition may be: the number of tokens after the latest breaker.

        Walks back from the newest token; the first token that starts a breaker whose tail
        follows it in the answer ends the walk (the longest such tail counts)."""
        n = len(tokens)
        for back in range(n):  # back = 0 is the newest token
            tails = self.breakers.get(tokens[n - 1 - back])
            if tails is None:
                continue
            after = tokens[n - back:]  # the tokens that came after this head
            matched = [len(t) for t in tails if len(t) <= back and tuple(after[:len(t)]) == t]
            if matched:
                return back - max(matched)
        return n

    def _continuations(self, tokens: list[int], limit: int) -> dict[int, int]:
        """Token -> the longest repetition (at most ``limit``) that emitting it would extend.

        ``z[k]`` (Z-algorithm on the answer read backwards) is how many of the newest tokens also
        appear, in order, ending ``k`` tokens earlier; the token that followed them back then is
        the one that would continue the copy now."""
        backwards = tokens[::-1]
        z = _z_lengths(backwards)
        longest: dict[int, int] = {}
        for k in range(1, len(tokens)):
            length = min(z[k], limit)
            if length >= self.allowed_length:
                token = backwards[k - 1]
                longest[token] = max(longest.get(token, 0), length)
        return longest


def max_exponent(base: float) -> int:
    """The largest exponent DRY uses with this base, computed as llama.cpp does: in float32
    (``FLOAT_MAX_LOG / std::log(float)``), truncated; 0 (no cap) when base is about 1.

    It is meant to keep ``base ** exponent`` below the largest float32, but float32 rounding
    can give one more: 64 for base 4 (float64 would say 63), and then ``4 ** 64`` is past the
    largest float32 and the penalty becomes infinite, in llama.cpp and here."""
    base32 = np.float32(base)
    if not base32 > np.float32(1.000001):
        return 0
    log_base = np.float32(math.log(float(base32)))  # logf, correctly rounded
    return int(np.float32(FLOAT_MAX_LOG) / log_base)


def _z_lengths(seq: Sequence[int]) -> list[int]:
    """``z[k]`` = length of the longest common prefix of ``seq`` and ``seq[k:]`` (z[0] = 0).

    The Z-algorithm, linear time: ``[left, right)`` is the rightmost window known to match the
    start of ``seq``, so a position inside it starts from what its mirror position found."""
    n = len(seq)
    z = [0] * n
    left = right = 0
    for k in range(1, n):
        if k < right:
            z[k] = min(right - k, z[k - left])
        while k + z[k] < n and seq[z[k]] == seq[k + z[k]]:
            z[k] += 1
        if k + z[k] > right:
            left, right = k, k + z[k]
    return z


def shift_logits(cands: Candidates, ids: Sequence[int] | np.ndarray,
                 deltas: Sequence[float] | np.ndarray) -> Candidates:
    """Add ``deltas[i]`` to the logit of the candidate with id ``ids[i]`` (ids not among the
    candidates are ignored). Fast when positions equal ids, as on the full vocabulary; in place
    when the candidates' logits are the chain's own copy."""
    ids_a = np.asarray(ids, dtype=np.int64)
    deltas_a = np.asarray(deltas, dtype=np.float64)
    logits = cands.logits if cands.owned else np.array(cands.logits, copy=True)
    n = len(cands)
    direct = (ids_a >= 0) & (ids_a < n)
    direct[direct] = cands.ids[ids_a[direct]] == ids_a[direct]
    logits[ids_a[direct]] += deltas_a[direct]
    if not direct.all():  # the rest: search the candidates for them
        table = dict(zip(ids_a[~direct].tolist(), deltas_a[~direct].tolist()))
        for pos in np.flatnonzero(np.isin(cands.ids, ids_a[~direct])):
            logits[pos] = float(logits[pos]) + table[int(cands.ids[pos])]  # as above: in float64
    return dataclasses.replace(cands, logits=logits, is_sorted=False)  # same ids, same order


def dry_breakers(strings: Iterable[str], pieces: Sequence[str],
                 tokenize: Callable[[str], Sequence[int]] | None = None) -> dict[
                     int, tuple[tuple[int, ...], ...]]:
    """Breaker strings -> the head/tails mapping :class:`Dry` takes, as llama.cpp's
    ``get_overlapping_token_sequences`` builds ``dry_processed_breakers``.

    ``pieces[id]`` is the text of token ``id``. A token whose text contains a whole breaker gets
    the empty tail (it breaks on its own). A token whose text *ends with the start* of a breaker
    (``"a:"`` for breaker ``":\\n"``, or ``"\\n"`` for ``"\\n\\n"``) gets, as tail, the rest of the
    breaker in tokens: ``tokenize(rest)``, cut to 20 tokens. Give the model's tokenizer as
    ``tokenize``; without it the rest is split greedily into the longest pieces of the vocabulary
    (a rest that cannot be split that way is left out). Breakers are cut to 40 UTF-8 bytes.
    Texts are compared by characters, llama.cpp compares bytes: they differ only for tokens
    that hold part of a multi-byte character.

    Vectorised over one long string of every piece, so a 262,144-token vocabulary takes well
    under a second."""
    text = "".join(pieces)
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    lengths = np.fromiter((len(p) for p in pieces), dtype=np.int64, count=len(pieces))
    ends = np.cumsum(lengths)
    split = tokenize or _greedy_tokenizer(pieces)
    result: dict[int, list[tuple[int, ...]]] = {}
    for breaker in strings:
        breaker = breaker.encode("utf-8")[:MAX_BREAKER_BYTES].decode("utf-8", "ignore")
        if not breaker:
            continue
        whole, partial = _overlaps(breaker, codes, ends)
        for token in whole:
            _add(result, token, ())
        tails: dict[int, tuple[int, ...]] = {}  # the rest's tokens, by where the rest starts
        for token, rest in partial:
            if token in whole:
                continue  # llama.cpp: a token holding the whole breaker gets only the empty tail
            if rest not in tails:  # tokenized once per breaker and place, not once per token
                tails[rest] = tuple(split(breaker[rest:]))[:MAX_TAIL_TOKENS]
            tail = tails[rest]
            if tail:
                _add(result, token, tail)
    return {token: tuple(tails) for token, tails in result.items()}


def _add(result: dict[int, list[tuple[int, ...]]], token: int, tail: tuple[int, ...]) -> None:
    tails = result.setdefault(token, [])
    if tail not in tails:
        tails.append(tail)


def _overlaps(breaker: str, codes: np.ndarray, ends: np.ndarray) -> tuple[
        set[int], list[tuple[int, int]]]:
    """Tokens holding the whole ``breaker``, and (token, characters of the breaker it holds) for
    tokens whose text ends with a proper start of it. ``codes``: every piece's characters, one
    after the other; ``ends[id]``: where token ``id``'s text ends in ``codes``."""
    starts = np.flatnonzero(codes == ord(breaker[0]))  # every place the breaker could begin
    tokens = np.searchsorted(ends, starts, side="right")  # the token each place is in
    room = ends[tokens] - starts  # characters from that place to the end of its token
    fits = np.ones(len(starts), dtype=bool)
    for k in range(1, len(breaker)):  # compare character k wherever the token still has one
        inside = room > k
        at = np.minimum(starts + k, len(codes) - 1)
        fits &= ~inside | (codes[at] == ord(breaker[k]))
    whole = fits & (room >= len(breaker))
    partial = fits & (room < len(breaker))
    return (set(tokens[whole].tolist()),
            list(zip(tokens[partial].tolist(), room[partial].tolist())))


def _greedy_tokenizer(pieces: Sequence[str]) -> Callable[[str], list[int]]:
    """A stand-in tokenizer: longest vocabulary piece first; of equal pieces the highest id, as
    byte-fallback tokens (``<0x3A>`` shown as ``:``) often come before the ordinary token that
    tokenizers prefer (not always: pass the model's tokenizer to be exact). Built on first use
    (only tokens that hold part of a breaker need it)."""
    table: dict[str, int] = {}

    def tokenize(text: str) -> list[int]:
        if not table:
            table.update((piece, token) for token, piece in enumerate(pieces) if piece)
        out, at = [], 0
        while at < len(text):
            for size in range(len(text) - at, 0, -1):
                token = table.get(text[at:at + size])
                if token is not None:
                    out.append(token)
                    at += size
                    break
            else:
                return []  # a character no piece holds: this tail cannot be written
        return out

    return tokenize
