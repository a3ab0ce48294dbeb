"""The layer view in the web UI's handlers: the switch reaches the chain, and the learning
panel (Chat and History's trace viewer) shows the layers, the heads, the draws and the
certainty of a real run of the default model; its controls choose the layer enlarged under
the heat-map and the draws' count and seed, and redraw the token in view."""

from __future__ import annotations

import re
from typing import Any

import gradio as gr
import pytest

from samantha.core.certainty import draws
from samantha.core.chain import ChainConfig
from samantha.core.chat import build_messages
from samantha.core.generation import Ask
from samantha.core.lens import AttentionView
from samantha.core.settings import DETERMINISTIC
from samantha.core.trace import Candidate, Survivor, TokenStep
from samantha.ui.chat.tab import ChatTab
from samantha.ui.header import Header
from samantha.ui.history.tab import HistoryTab
from samantha.ui.learning.inside import MAX_DRAWS, InsideChoice
from samantha.ui.learning.panel import LearningPanel, layer_choices, layers_of
from samantha.ui.serving.session import UiSession
from samantha.ui.words.table import texts

EN, PT = texts("en"), texts("pt")


def chat_blocks(bench: Any) -> tuple[gr.Blocks, ChatTab]:
    with gr.Blocks() as demo:
        header = Header(EN)
        header.build()
        tab = ChatTab(bench, EN, header)
        tab.build()
    return demo, tab


def chat_tab(bench: Any) -> tuple[ChatTab, dict]:
    demo, tab = chat_blocks(bench)
    data = {block: getattr(block, "value", None) for block in demo.blocks.values()}
    data[tab.prompts] = "The capital of France is"
    return tab, data


@pytest.mark.parametrize("choice, chain", [("off", ""), ("cheap", "cheap"), ("full", "full"),
                                           (None, "")])
def test_the_layer_view_reaches_the_chain(fake_workbench: Any, choice: str,
                                          chain: str) -> None:
    tab, data = chat_tab(fake_workbench)
    assert data[tab.learning.layers] == "off"  # off unless asked
    data[tab.learning.pace] = "0"
    data[tab.learning.layers] = choice
    config, _, _ = tab.config_from(data)
    assert config.learn and config.learn_layers == chain
    assert layers_of(choice) == chain


def test_the_layer_view_speaks_both_languages() -> None:
    assert [v for _, v in layer_choices(EN)] == ["off", "cheap", "full"]
    assert [label for label, _ in layer_choices(PT)] == [
        "desligada", "barata: candidatos finais", "completa: vocabulário inteiro"]
    for t, words in ((EN, ("layer", "last norm", "not trained", "whole vocabulary",
                           "seconds per token", "GGUF", "Gemma 3")),
                     (PT, ("camada", "última normalização", "não foram treinadas",
                           "vocabulário inteiro", "segundos por token", "GGUF", "Gemma 3"))):
        assert all(w in t["layer_view"].help for w in words)


@pytest.fixture(scope="module")
def real_steps(real_workbench: Any) -> list:
    ask = Ask(build_messages("", "", "The capital of France is"),
              DETERMINISTIC.replace(max_tokens=3), "default", trace_top=10, layers="cheap")
    return [e.trace for e in real_workbench.generate(ask) if getattr(e, "trace", None)]


def panel(lang: str = "en") -> LearningPanel:
    with gr.Blocks():
        learning = LearningPanel(texts(lang), lang=lang)
        learning.build()
    return learning


@pytest.mark.e2e
def test_the_panel_shows_the_inside_of_a_real_token(real_steps: list) -> None:
    step = real_steps[0]
    assert step.layers is not None and step.attention is not None
    learning = panel()
    view = learning.view(real_steps, focus=step)
    grid = view[learning.layer_grid]
    assert len(re.findall(r"<tr[^>]*><td>", grid)) == len(step.layers.layers)
    assert "among the final candidates" in grid and "lens-chosen" in grid
    heads = view[learning.attention]
    assert heads.count("<svg") == 2 and f"Layer {len(step.attention.layers) - 1}," in heads
    assert "100 draws from the final distribution (seed 0)" in view[learning.draws]
    chosen = learning.view(real_steps, focus=step, choice=InsideChoice(1, 500, 7))
    assert "Layer 1, head by head" in chosen[learning.attention]
    assert f"Layer {len(step.attention.layers) - 1}," not in chosen[learning.attention]
    assert "500 draws from the final distribution (seed 7)" in chosen[learning.draws]
    assert sum(counts(chosen[learning.draws], 500)) == 500
    assert view[learning.certainty].count("<polyline") == 3
    pt = panel("pt")
    assert "Para onde as cabeças olharam" in pt.view(real_steps)[pt.attention]


def test_a_token_without_layers_leaves_them_empty(fake_workbench: Any) -> None:
    from samantha.core.trace import Candidate, Survivor, TokenStep

    step = TokenStep(1, 5, "x", 1, 1.0, 0.9, 0.3, (Candidate(5, "x", 1.0, 0.9),), (),
                     (Survivor(5, 1.0),))
    learning = panel()
    view = learning.view([step])
    assert view[learning.layer_grid] == "" and view[learning.attention] == ""
    assert view[learning.draws] and view[learning.certainty]  # these need no layers


@pytest.mark.e2e
def test_the_trace_viewer_shows_a_stored_runs_layers(real_workbench: Any) -> None:
    run = real_workbench.start_run(ChainConfig(
        "The capital of France is", learn=True, learn_top=10, learn_layers="cheap",
        settings=DETERMINISTIC.replace(max_tokens=3)))
    list(run)
    with gr.Blocks():
        history = HistoryTab(real_workbench, EN)
        history.build()
    learning = history.learning
    shown = dict(zip(learning.outputs, history.trace(run.id, 1, 2)[1:]))
    assert "layer-grid" in shown[learning.layer_grid]
    assert "Where the heads looked" in shown[learning.attention]
    assert "How sure the model was" in shown[learning.certainty]
    assert "Layer 17, head by head" in shown[learning.attention]  # Gemma 3 270M: 18 layers
    chosen = dict(zip(learning.outputs, history.trace(run.id, 1, 2, 1, 500, 7)[1:]))
    assert "Layer 1, head by head" in chosen[learning.attention]
    assert "500 draws from the final distribution (seed 7)" in chosen[learning.draws]
    again = history.redraw(run.id, 1, 2, 3, 40, 2)  # a control changed: the token redrawn
    assert set(again) == {learning.attention, learning.draws}
    assert "Layer 3, head by head" in again[learning.attention]
    assert "40 draws from the final distribution (seed 2)" in again[learning.draws]
    wrong = history.redraw(run.id, 1, 2, 18, 20_000, 2)
    assert "choose 0 to 17" in wrong[learning.attention]
    assert "Where the heads looked" in wrong[learning.attention]
    assert "Draw 1 to 10,000 times, not 20000." in wrong[learning.draws]
    assert history.redraw(None, 1, 2) == {learning.attention: "", learning.draws: ""}


# -- the layer enlarged and the draws, on a hand-built token -------------------------------------
TWO_LAYERS = AttentionView(4, (
    (((0, 0.7), (3, 0.2), (1, 0.1)), ((0, 0.6), (2, 0.4))),
    (((0, 0.8), (3, 0.2)), ((3, 0.9), (0, 0.1))),
), {0: 3, 1: 8, 2: 9, 3: 7})
STEP = TokenStep(1, 7, " Paris", 1, 3.0, 0.6, 0.7,
                 (Candidate(7, " Paris", 3.0, 0.6), Candidate(8, " Lyon", 2.0, 0.4)), (),
                 (Survivor(7, 0.6), Survivor(8, 0.4)), attention=TWO_LAYERS)


def counts(svg: str, n: int) -> list[int]:
    return [int(c) for c in re.findall(rf">(\d+)/{n}<", svg)]


def test_the_chosen_layer_is_the_one_enlarged() -> None:
    learning = panel()
    last = learning.view([STEP])[learning.attention]
    assert "Layer 1, head by head" in last and "Layer 0," not in last  # the last by default
    first = learning.view([STEP], choice=InsideChoice(layer=0))[learning.attention]
    assert "Layer 0, head by head" in first and "Layer 1," not in first
    assert learning.redraw(STEP, InsideChoice(layer=1))[learning.attention] == last
    assert learning.redraw(STEP, InsideChoice(layer=None))[learning.attention] == last


@pytest.mark.parametrize("layer", [2, 500, -1, 0.5, "two"])
def test_a_layer_the_model_lacks_is_one_line_above_the_grid(layer: Any) -> None:
    learning = panel()
    heads = learning.redraw(STEP, InsideChoice(layer=layer))[learning.attention]
    assert heads.count("⚠️") == 1 and f"This model has no layer {layer}: choose 0 to 1," in heads
    assert "Where the heads looked" in heads and "head by head" not in heads
    pt = panel("pt")
    assert "escolha de 0 a 1" in pt.redraw(STEP, InsideChoice(layer=layer))[pt.attention]


def test_the_draws_follow_their_count_and_seed() -> None:
    learning = panel()
    default = learning.view([STEP])[learning.draws]
    assert "100 draws from the final distribution (seed 0)" in default
    assert counts(default, 100) == [c for _, _, c in draws(STEP, 100, 0).rows]
    chosen = learning.redraw(STEP, InsideChoice(draws=500, seed=7))[learning.draws]
    assert "500 draws from the final distribution (seed 7)" in chosen
    assert counts(chosen, 500) == [c for _, _, c in draws(STEP, 500, 7).rows]
    assert counts(chosen, 500) != counts(learning.redraw(STEP, InsideChoice(draws=500))
                                         [learning.draws], 500)  # another seed, other counts
    most = learning.redraw(STEP, InsideChoice(draws=MAX_DRAWS, seed=None))[learning.draws]
    assert sum(counts(most, MAX_DRAWS)) == MAX_DRAWS and "(seed 0)" in most
    assert learning.redraw(STEP, InsideChoice(draws=None))[learning.draws] == default


@pytest.mark.parametrize("n, seed, line", [
    (0, 0, "Draw 1 to 10,000 times, not 0."),
    (MAX_DRAWS + 1, 0, "Draw 1 to 10,000 times, not 10001."),
    (-5, 0, "Draw 1 to 10,000 times, not -5."),
    (2.5, 0, "Draw 1 to 10,000 times, not 2.5."),
    (100, -1, "from 0 to 4,294,967,295, not -1."),
    (100, 2**32, "from 0 to 4,294,967,295, not 4294967296."),
])
def test_a_count_or_seed_out_of_bounds_is_one_line(n: Any, seed: Any, line: str) -> None:
    learning = panel()
    shown = learning.redraw(STEP, InsideChoice(draws=n, seed=seed))[learning.draws]
    assert line in shown and shown.count("⚠️") == 1 and "<svg" not in shown
    pt = panel("pt")
    said = pt.redraw(STEP, InsideChoice(draws=n, seed=seed))[pt.draws]
    assert ("10.000" if "Draw" in line else "4.294.967.295") in said


def test_a_chat_tabs_controls_redraw_its_token_and_stay_for_the_next(
        fake_workbench: Any) -> None:
    demo, tab = chat_blocks(fake_workbench)
    learning = tab.learning
    for control in learning.choices:  # each control, changed, redraws both views
        wired = [f for f in demo.fns.values() if (control._id, "change") in f.targets]
        assert wired and {learning.attention, learning.draws} <= set(wired[0].outputs)
    session = UiSession()
    assert session.inside == InsideChoice()
    assert learning._session_redraw(session, 0, 500, 7) == {learning.attention: "",
                                                            learning.draws: ""}  # no token
    session.steps = [STEP]
    shown = learning._session_redraw(session, 0, 500, 7)
    assert session.inside == InsideChoice(0, 500, 7)
    assert "Layer 0, head by head" in shown[learning.attention]
    assert "500 draws from the final distribution (seed 7)" in shown[learning.draws]
    streamed = tab._learning(session)  # the views drawn while an answer streams keep it
    assert streamed[learning.attention] == shown[learning.attention]
    assert streamed[learning.draws] == shown[learning.draws]


def test_the_controls_speak_both_languages() -> None:
    for lang, number, first in (("en", "10,000", "0 is the first layer"),
                                ("pt", "10.000", "0 é a primeira camada")):
        t = texts(lang)
        assert first in t["inside_layer"].help and number in t["inside_draws"].help
        learning = panel(lang)
        assert [c.label for c in learning.choices] == [
            t["inside_layer"].label, t["inside_draws"].label, t["inside_seed"].label]
        assert [c.value for c in learning.choices] == [None, 100, 0]
        assert all(c.info for c in learning.choices)
