"""Learning mode inside the model, on the bundled models through llama.cpp: the self-checks that
cannot be faked. The last layer's lens is the model's own logits (to float tolerance); each
layer's attention row sums to 1 over the context; the lens travels in the token's trace."""

from __future__ import annotations

import json
import threading

import numpy as np
import pytest

from samantha.core.answer_events import ModelLoading
from samantha.core.chat import build_messages
from samantha.core.generation import Ask
from samantha.core.lens import layer_logits
from samantha.core.settings import DETERMINISTIC

pytestmark = pytest.mark.e2e

PROMPT = "The capital of France is"


@pytest.mark.parametrize("model", ["smollm2", "default"])
def test_the_last_layers_lens_is_the_models_own_logits(real_workbench, model: str) -> None:
    bench = real_workbench
    session = bench.session(model, tapped=True)
    head = bench.lens_heads.of(bench.resolve_model(model))
    session.reset()
    assert session.look_inside(True)
    try:
        logits = np.array(session.prefill(session.tokenize(PROMPT), threading.Event()))
        streams = session.inside()
        attention = session.attention()
    finally:
        session.look_inside(False)
    assert streams is not None and streams.ndim == 2
    lens = layer_logits(head, streams[-1:])[0]
    assert np.abs(lens - logits).max() < 1e-3 * max(1.0, np.abs(logits).max())
    assert int(lens.argmax()) == int(logits.argmax())
    # every layer's attention: one row per head over the cells, summing to 1
    assert sorted(attention) == list(range(len(streams)))
    for weights in attention.values():
        assert np.allclose(weights.sum(axis=-1), 1.0, atol=1e-5)
        assert (weights >= 0).all()


@pytest.mark.parametrize("model", ["smollm2", "default"])
def test_each_token_carries_its_layers_in_learning_mode(real_workbench, model: str) -> None:
    ask = Ask(build_messages("", "", PROMPT), DETERMINISTIC.replace(max_tokens=3), model,
              trace_top=10, layers="full")
    steps = [e.trace for e in real_workbench.generate(ask) if getattr(e, "trace", None)]
    assert len(steps) == 3
    for step in steps:
        lens = step.layers
        assert lens is not None and lens.mode == "full" and lens.chosen == step.token_id
        last = lens.layers[-1]
        assert last.chosen_p == pytest.approx(step.p, abs=1e-4)  # the model's own probability
        assert last.chosen_rank == step.rank
        assert [c.id for c in step.candidates[:3]] == [i for i, _ in last.top[:3]]
        seen = step.attention  # the prompt, then the answer so far
        assert seen is not None and seen.positions > 0
        assert len(seen.layers) == len(lens.layers)
        assert all(0 <= i < seen.positions and sum(w for _, w in head) <= 1 + 1e-5
                   for layer in seen.layers for head in layer for i, _ in head)
    assert [s.attention.positions for s in steps] == \
        [steps[0].attention.positions + k for k in range(3)]
    cheap = Ask(build_messages("", "", PROMPT), DETERMINISTIC.replace(max_tokens=1), model,
                trace_top=10, layers="cheap")
    (step,) = [e.trace for e in real_workbench.generate(cheap) if getattr(e, "trace", None)]
    assert step.layers.mode == "cheap"
    assert {i for i, _ in step.layers.layers[-1].top} <= {c.id for c in step.candidates}
    # stored (probabilities to 6 decimals) and read back with the rest of the trace
    stored = step.to_dict()
    assert type(step).from_dict(stored).to_dict() == stored and "layers" in stored
    # the tap is closed after the answer: a plain answer keeps nothing, on the same model
    session = real_workbench.session(model)
    assert session.tap is not None and not session.tap.open


def test_a_model_is_tapped_only_when_the_layer_view_is_asked_for(real_workbench) -> None:
    """The tap costs 2 to 5% of every token (a Python call per node of the graph): a model
    loaded for plain answers has none; asking for layers loads it again with one."""
    real_workbench.unload()
    plain = real_workbench.session("smollm2")
    assert plain.tap is None and not plain.look_inside(True) and plain.inside() is None
    ask = Ask(build_messages("", "", PROMPT), DETERMINISTIC.replace(max_tokens=1), "smollm2",
              trace_top=5, layers="cheap")
    events = list(real_workbench.generate(ask))
    (step,) = [e.trace for e in events if getattr(e, "trace", None)]
    assert step.layers is not None
    assert any(isinstance(e, ModelLoading) for e in events)  # the reload is said
    assert real_workbench.is_loaded("smollm2", tapped=True)
    assert real_workbench.is_loaded("smollm2")  # a tapped model serves plain answers too
    tapped = real_workbench.session("smollm2")
    assert tapped is not plain and tapped.tap is not None


def test_samantha_learn_shows_the_layers(samantha) -> None:
    out = samantha("learn", PROMPT, "-m", "smollm2", "--max-tokens", "2", "--layers", "cheap",
                   "--top", "5").stdout
    assert out.count("  layer by layer (among the final candidates; > chosen; it leads") == 2
    assert "     29  rank      1  p " in out  # smollm2's 30th and last layer: the chosen leads
    lines = [json.loads(line) for line in samantha(
        "learn", PROMPT, "-m", "smollm2", "--max-tokens", "2", "--layers", "full",
        "--json").stdout.splitlines()]
    assert len(lines) == 2
    for step in lines:
        layers = step["layers"]
        assert layers["mode"] == "full" and len(layers["layers"]) == 30
        assert layers["layers"][-1]["chosen_rank"] == step["rank"]
    shown = samantha("learn", PROMPT, "-m", "smollm2", "--max-tokens", "1", "--attention").stdout
    assert "  attention over " in shown and "layer by layer" not in shown
    assert shown.count(" | ") >= 30 * 8  # 30 layers of 9 heads, separated by |
    said = samantha("learn", PROMPT, "-m", "smollm2@nowhere", "--layers", "cheap", code=2)
    assert "Traceback" not in said.stderr and said.stderr.startswith("error:")


def test_a_chain_keeps_its_layers_in_the_stored_trace(samantha, real_workbench) -> None:
    """--learn --layers in a chain: the trace stored with the run carries each token's layers
    and attention, with the text of every token they name, so the history replays them."""
    result = samantha("run", "--prompts", PROMPT, "-m", "default", "--learn", "--layers",
                      "cheap", "--max-tokens", "2", "--json")
    run_id = json.loads(result.stdout.splitlines()[-1])["run_id"]
    steps = [json.loads(line) for line in
             samantha("history", "trace", str(run_id), "--json").stdout.splitlines()]
    assert len(steps) == 2 and all(s["layers"]["mode"] == "cheap" for s in steps)
    for step in steps:
        named = {i for view in step["layers"]["layers"] for i, _ in view["top"]}
        named |= set(step["attention"]["tokens"].values())
        known = {c["id"] for c in step["candidates"]} | {int(k) for k in step["pieces"]}
        assert named <= known  # every token named can be shown without the model
    replay = samantha("history", "trace", str(run_id)).stdout
    assert replay.count("layer by layer (among the final candidates") == 2
    assert replay.count("  attention over ") == 2 and "'<bos>'" in replay
    refused = samantha("run", "--prompts", "x", "--layers", "half", code=2)
    assert "'half' is not one of 'cheap', 'full'" in refused.stderr
