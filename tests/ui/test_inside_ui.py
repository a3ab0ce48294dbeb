"""The layer view in the web UI's handlers: the switch reaches the chain, and the learning
panel (Chat and History's trace viewer) shows the layers, the heads, the draws and the
certainty of a real run of the default model."""

from __future__ import annotations

import re
from typing import Any

import gradio as gr
import pytest

from samantha.core.chain import ChainConfig
from samantha.core.chat import build_messages
from samantha.core.generation import Ask
from samantha.core.settings import DETERMINISTIC
from samantha.ui.chat.tab import ChatTab
from samantha.ui.header import Header
from samantha.ui.history.tab import HistoryTab
from samantha.ui.learning.panel import LearningPanel, layer_choices, layers_of
from samantha.ui.words.table import texts

EN, PT = texts("en"), texts("pt")


def chat_tab(bench: Any) -> tuple[ChatTab, dict]:
    with gr.Blocks() as demo:
        header = Header(EN)
        header.build()
        tab = ChatTab(bench, EN, header)
        tab.build()
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
    assert "draws from the final distribution" in view[learning.draws]
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
    shown = dict(zip(history.learning.outputs, history.trace(run.id, 1, 2)[1:]))
    assert "layer-grid" in shown[history.learning.layer_grid]
    assert "Where the heads looked" in shown[history.learning.attention]
    assert "How sure the model was" in shown[history.learning.certainty]
