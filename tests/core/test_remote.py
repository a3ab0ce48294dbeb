"""The pure part of remote backends: references, the settings in effect, the token loop over a
scripted stream, learning steps from a backend's probabilities, chain files' [backends]."""

from __future__ import annotations

import pytest

from samantha.core.answer_events import GenerationResult, TokenEvent
from samantha.core.backend_specs import BackendError, BackendSpec, RemoteRef, parse_ref
from samantha.core.chain import ChainConfig, ChainConfigError
from samantha.core.control import RunControl
from samantha.core.errors import InputError
from samantha.core.remote import (
    RemoteEnd,
    RemoteStep,
    RemoteToken,
    generate_remote,
    in_effect,
    not_honoured,
    pseudo_id,
)
from samantha.core.settings import DETERMINISTIC, STOCHASTIC


@pytest.mark.parametrize("text, ref", [
    ("gemma@lab", RemoteRef("gemma", "lab")),
    ("@lab", RemoteRef("", "lab")),
    ("qwen2.5:7b@ollama-box", RemoteRef("qwen2.5:7b", "ollama-box")),
    ("gemma@*", RemoteRef("gemma", "*")),
    ("a@b@lab", RemoteRef("a@b", "lab")),
    ("default", None),
    ("model.gguf", None),
    ("https://user@host/model.gguf", None),
    ("odd@name with spaces", None),
])
def test_model_references(text, ref) -> None:
    assert parse_ref(text) == ref


def test_any_backend_needs_a_model_name() -> None:
    with pytest.raises(InputError, match="MODEL@\\*"):
        parse_ref("@*")


@pytest.mark.parametrize("changes, greedy, stages", [
    ({}, True, {}),  # the defaults: tail-free at 0 keeps the best one
    ({"tfs_z": 0.5}, True, {"top_k": 40, "tfs_z": 0.5, "typical_p": 0.0}),  # typical picks
    ({"top_k": 1}, True, {}),
    ({"temperature": 0.7, "tfs_z": 1.0, "top_p": 0.9, "min_p": 0.0, "typical_p": 1.0,
      "top_k": 0}, False, {"top_p": 0.9, "temperature": 0.7}),
    ({"temperature": 0.7, "tfs_z": 0.5, "top_p": 1.0, "min_p": 0.1, "typical_p": 0.8,
      "top_k": 0}, False, {"tfs_z": 0.5, "typical_p": 0.8, "min_p": 0.1, "temperature": 0.7}),
    ({"tfs_z": 1.0, "typical_p": 0.5}, True, {"top_k": 40, "typical_p": 0.5}),  # then greedy
    ({"repeat_penalty": 1.2, "penalty_last_n": 0}, True, {}),  # no window: off
    ({"tfs_z": 0.5, "typical_p": 1.0}, True, {}),  # tail-free keeps the best: greedy wins
])
def test_the_settings_in_effect(changes, greedy, stages) -> None:
    effect = in_effect(DETERMINISTIC.replace(**changes))
    assert effect.greedy is greedy and effect.stages == stages


def test_penalties_in_effect_are_given_together() -> None:
    effect = in_effect(STOCHASTIC)
    assert effect.stages["repeat_penalty"] == 1.1 and effect.stages["penalty_last_n"] == 64
    assert list(effect.stages) == ["repeat_penalty", "presence_penalty", "frequency_penalty",
                                   "penalty_last_n", "top_k", "top_p", "min_p", "temperature"]


def test_not_honoured_names_only_the_settings_in_effect() -> None:
    said = not_honoured(STOCHASTIC.replace(tfs_z=0.5, typical_p=0.9), ("top_k", "top_p",
                        "min_p", "temperature", "typical_p"), "vLLM", {"tfs_z": "gone"})
    assert said[0].startswith("repeat_penalty = 1.1 is not supported by vLLM")
    assert "tfs_z = 0.5 is not supported by vLLM and is left out (gone)" in said
    assert not any("typical_p" in line for line in said)
    assert not_honoured(DETERMINISTIC.replace(tfs_z=0.5, typical_p=1), ("top_k",), "x") == []


def scripted(*items):
    yield from items


def test_the_token_loop_over_a_stream() -> None:
    stream = scripted(RemoteToken(" Hello", 10), RemoteToken(",", 11), RemoteToken(" world", 12),
                      RemoteEnd("stop", 7, {"predicted_per_second": 50.0}))
    events = list(generate_remote(stream, DETERMINISTIC.replace(seed=1)))
    tokens, result = events[:-1], events[-1]
    assert [t.text for t in tokens] == [" Hello", ",", " world"]
    assert [t.token_id for t in tokens] == [10, 11, 12]
    assert isinstance(result, GenerationResult)
    assert (result.text, result.tokens, result.prompt_tokens, result.finish_reason) == \
        (" Hello, world", 3, 7, "stop")
    assert result.timings == {"predicted_per_second": 50.0}


def test_our_stop_strings_hold_back_and_end_the_stream() -> None:
    closed = []

    def stream():
        try:
            yield from (RemoteToken(t) for t in ("One", " two", "\nUs", "er:", " three"))
        finally:
            closed.append(True)

    events = list(generate_remote(stream(), DETERMINISTIC, extra_stops=("\nUser:",)))
    assert events[-1].text == "One two" and events[-1].finish_reason == "stop"
    assert closed == [True]  # the connection is closed at once


def test_the_loop_guard_and_pseudo_ids_for_text_only_tokens() -> None:
    stream = scripted(*[RemoteToken(" la") for _ in range(100)], RemoteEnd("length"))
    events = list(generate_remote(stream, DETERMINISTIC))
    assert events[-1].finish_reason == "repetition" and events[-1].tokens < 100
    assert events[0].token_id == pseudo_id(" la") < 0
    assert events[-1].token_ids == ()  # no real ids to store


def test_cancel_and_a_broken_stream_keep_the_text() -> None:
    control = RunControl()

    def stream():
        yield RemoteToken("a", 1)
        control.stop_cycle()
        yield RemoteToken("b", 2)
        yield RemoteToken("c", 3)

    result = list(generate_remote(stream(), DETERMINISTIC, control))[-1]
    assert result.finish_reason == "cancelled" and result.text == "a"

    def broken():
        yield RemoteToken("partial", 1)
        raise BackendError("The stream from backend lab broke off.")

    result = list(generate_remote(broken(), DETERMINISTIC))[-1]
    assert result.finish_reason == "error" and result.text == "partial"
    assert "broke off" in result.error


def test_a_learning_step_from_a_backends_probabilities() -> None:
    step = RemoteStep(0.2, ((5, " a", 0.5), (6, " b", 0.3), (7, " c", 0.2)),
                      final=((5, 0.6), (6, 0.4)), source="from somewhere", chain="its chain")
    events = list(generate_remote(scripted(RemoteToken(" c", 7, step), RemoteEnd("stop")),
                                  DETERMINISTIC))
    trace = events[0].trace
    assert isinstance(events[0], TokenEvent)
    assert trace.rank == 3 and trace.p == 0.2 and trace.source == "from somewhere"
    assert [c.id for c in trace.candidates] == [5, 6, 7]
    assert trace.stages[0].name == "its chain" and trace.stages[0].kept == 2
    assert [s.id for s in trace.final] == [5, 6]
    text_only = RemoteStep(0.5, ((None, " x", 0.5), (None, " y", 0.4)))
    events = list(generate_remote(scripted(RemoteToken(" y", None, text_only)), DETERMINISTIC))
    assert events[0].trace.rank == 2 and events[0].trace.stages == ()
    from samantha.core.trace import is_chosen

    marked = [is_chosen(events[0].trace, c) for c in events[0].trace.candidates]
    assert marked == [False, True]  # no ids: told apart by their text


def test_backend_specs_are_checked() -> None:
    assert BackendSpec("lab", "http://10.0.0.2:8080/").url == "http://10.0.0.2:8080"
    with pytest.raises(InputError, match="scheme"):
        BackendSpec("lab", "10.0.0.2:8080")
    with pytest.raises(InputError, match="name"):
        BackendSpec("a lab", "http://x")
    with pytest.raises(InputError, match="kind"):
        BackendSpec("lab", "http://x", "tgi")


def test_chain_files_carry_their_backends() -> None:
    config = ChainConfig.from_dict({"prompts": "Hi.", "models": ["gemma@lab"], "backends": {
        "lab": "http://10.0.0.2:8080", "box": {"url": "http://10.0.0.3:11434", "kind": "ollama",
                                              "api_key_env": "BOX_KEY"}}})
    assert config.backends == {
        "lab": {"url": "http://10.0.0.2:8080", "kind": "auto"},
        "box": {"url": "http://10.0.0.3:11434", "kind": "ollama", "api_key_env": "BOX_KEY"}}
    assert ChainConfig.from_dict(config.to_dict()) == config  # stored and read back
    with pytest.raises(ChainConfigError, match="backends.box.key is not a known backend key"):
        ChainConfig.from_dict({"prompts": "Hi.", "backends": {"box": {"url": "http://x",
                                                                      "key": "secret"}}})
    with pytest.raises(ChainConfigError, match="backends.lab"):
        ChainConfig.from_dict({"prompts": "Hi.", "backends": {"lab": 8080}})
    with pytest.raises(ChainConfigError, match="concurrency 0 is out of range"):
        ChainConfig.from_dict({"prompts": "Hi.", "concurrency": 0})
