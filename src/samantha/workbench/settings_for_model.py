"""What a loaded model adds to the settings before a generation: token ids for a logit bias
given as text, DRY's sequence breakers as token ids, and the grammar of a GBNF text or a JSON
schema (llama.cpp's grammar sampler)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from samantha.core.backend_specs import parse_ref
from samantha.core.chat import Message
from samantha.core.engine import ModelSession
from samantha.core.errors import SamanthaError, SettingsError
from samantha.core.prompt_format import CHAT, resolve
from samantha.core.settings import Settings
from samantha.models.catalog import MetadataCache
from samantha.models.library import ModelLibrary, is_url


def with_bias_ids(session: ModelSession, settings: Settings) -> Settings:
    """The settings with a logit bias on texts turned into token ids (each token of the text,
    as llama-server does). A text the tokenizer cannot encode is refused."""
    if not settings.logit_bias:
        return settings
    bos = len(session.tokenize(""))
    ids: list[tuple[int | str, float]] = []
    for key, value in settings.logit_bias:
        if isinstance(key, int):
            if key >= session.n_vocab:
                raise SettingsError(f"logit_bias: token id {key} is outside the vocabulary of "
                                    f"{session.name} (0 to {session.n_vocab - 1}).")
            ids.append((key, value))
            continue
        tokens = session.tokenize(key)[bos:]
        if not tokens:
            raise SettingsError(f"logit_bias: the text {key!r} becomes no token with the "
                                f"tokenizer of {session.name}; give token ids instead "
                                "(`samantha models vocab` lists them).")
        ids += [(token, value) for token in tokens]
    return settings.replace(logit_bias=tuple(ids))


def grammar_of(session: ModelSession, settings: Settings) -> Any:
    """llama.cpp's grammar sampler for the settings' grammar or JSON schema (None without);
    a bad grammar raises ``GrammarError`` with its line and column, before the first token."""
    if not (settings.grammar or settings.json_schema):
        return None
    from samantha.engines.llama_grammar import grammar_from_json_schema

    text = settings.grammar or grammar_from_json_schema(settings.json_schema)
    return session.constraint(text)  # type: ignore[attr-defined]  # grammars: local engine only


class BreakerCache:
    """DRY's sequence breakers in token ids, worked out once per model and breaker list."""

    def __init__(self) -> None:
        self._known: dict[tuple[Any, ...], Any] = {}

    def get(self, session: ModelSession, settings: Settings) -> Any:
        """The breakers for this model, or None when DRY is off (the first time, it reads the
        whole vocabulary)."""
        if settings.dry_multiplier == 0.0 or settings.dry_penalty_last_n == 0:
            return None
        from samantha.core.stages_dry import dry_breakers

        key = (session.name, session.n_vocab, settings.dry_sequence_breakers)
        if key not in self._known:
            pieces = [session.piece(i).decode("utf-8", "replace")
                      for i in range(session.n_vocab)]
            bos = len(session.tokenize(""))
            self._known[key] = dry_breakers(settings.dry_sequence_breakers, pieces,
                                            lambda text: session.tokenize(text)[bos:])
        return self._known[key]


class ModelFiles(Protocol):
    """Where a model's file is found (the facade's)."""

    @property
    def models_dir(self) -> Path: ...

    @property
    def library(self) -> ModelLibrary: ...

    def resolve_model(self, name: str) -> Path: ...


def prompt_format_of(bench: ModelFiles, model: str, requested: str,
                     messages: Sequence[Message]) -> str:
    """The prompt format ``model`` gets for ``messages`` (see core/prompt_format), read from
    its file's header without loading it. A remote backend gets chat messages (its server
    applies the template); a URL model not downloaded yet keeps ``requested`` until it is."""
    if parse_ref(model) is not None:
        return CHAT
    try:
        if is_url(model):
            from samantha.models.download import downloaded

            found = downloaded(model, bench.models_dir)
            if not found:
                return requested
            path = found[0]
        else:
            path = bench.resolve_model(model)
        entry = MetadataCache(bench.library.cache_file).entry(path, [path])
    except SamanthaError:  # the cycle will say what is wrong with the model
        return requested
    return resolve(requested, bool(entry.chat_template), messages)
