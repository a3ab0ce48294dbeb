"""The trace as HTML: the stage table's cells, the colours of the answer, a page with nothing
to fetch."""

from __future__ import annotations

import dataclasses
import re

import numpy as np

from samantha.core.lens import AttentionView, LayerLens, LayerView
from samantha.core.sampler_chain import SamplerChain
from samantha.core.settings import Settings
from samantha.core.trace import TokenStep, make_step
from samantha.documents.trace_html import WORDS, colour, coloured_answer, stage_table, trace_page

WORDS_EN = WORDS["en"]


def step_of(settings: Settings, probs: list[float], top: int) -> TokenStep:
    logits = np.log(np.array(probs, dtype=np.float32))
    pick = SamplerChain(settings, seed=1).pick(logits, views=top)
    return make_step(1, logits, pick, top, lambda t: f"t{t}".encode())


def cells(table: str) -> list[list[str]]:
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table)
    return [re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row) for row in rows]


def test_a_stage_table_shows_what_each_stage_kept_and_removed() -> None:
    settings = Settings(temperature=1.0, top_k=3, top_p=1.0, min_p=0.6, typical_p=1.0,
                        tfs_z=1.0)
    step = step_of(settings, [0.4, 0.3, 0.2, 0.06, 0.04], top=5)
    rows = cells(stage_table(step, WORDS_EN))
    assert rows[0] == ["token", "raw scores", "top-k (3)", "min-p (2)"]
    by_token = {re.sub("<[^>]+>", "", r[0]): r[1:] for r in rows[1:]}
    assert by_token["t0"][1].endswith("0.444") and by_token["t0"][2].endswith("0.571")
    assert by_token["t2"][1].endswith("0.222") and by_token["t2"][2] == "removed"
    assert by_token["t3"][1:] == ["removed", "removed"]


def test_tokens_beyond_the_shown_ones_are_not_called_removed() -> None:
    settings = Settings(temperature=1.0, top_k=4, top_p=1.0, min_p=0.0001, typical_p=1.0,
                        tfs_z=1.0, logit_bias=((4, 5.0),))  # t4 rises above t1
    step = step_of(settings, [0.4, 0.3, 0.2, 0.06, 0.04], top=2)
    rows = {re.sub("<[^>]+>", "", r[0]): r[1:] for r in cells(stage_table(step, WORDS_EN))[1:]}
    assert {"t0", "t1", "t4"} <= set(rows)
    assert all("removed" not in c for r in rows.values() for c in r)  # four kept, two shown
    assert any(c == "…" for r in rows.values() for c in r)  # kept, but not among the shown


def test_the_answer_is_coloured_by_probability_with_its_candidates() -> None:
    sure = step_of(Settings(), [0.95, 0.05], top=2)
    unsure = step_of(Settings(), [0.3, 0.3, 0.2, 0.2], top=2)
    answer = coloured_answer([sure, unsure], WORDS_EN)
    assert answer.count('class="tok"') == 2
    assert colour(0.95) in answer and colour(0.3) in answer and colour(0.95) != colour(0.3)
    assert "▶  1. t0  0.9500" in answer


def test_a_trace_page_fetches_nothing() -> None:
    page = trace_page([step_of(Settings(), [0.6, 0.4], top=2)], "A <title>", "Answer",
                      WORDS_EN)
    assert "<script" not in page and "http://" not in page.replace(
        'xmlns="http://www.w3.org/2000/svg"', "") and "https://" not in page
    assert "A &lt;title&gt;" in page


def test_a_trace_page_shows_the_layers_the_heads_and_the_certainty() -> None:
    step = step_of(Settings(), [0.6, 0.4], top=2)
    lens = LayerLens("cheap", step.token_id, (LayerView(0, ((1, 0.7), (0, 0.3)), 2, 0.3),
                                              LayerView(1, ((0, 0.8), (1, 0.2)), 1, 0.8)))
    heads = AttentionView(2, ((((0, 0.9), (1, 0.1)), ((0, 0.7), (1, 0.3))),), {0: 1, 1: 0})
    inside = dataclasses.replace(step, layers=lens, attention=heads)
    page = trace_page([inside, dataclasses.replace(step, step=2)], "trace", "Answer", WORDS_EN)
    assert page.count('<table class="layer-grid"') == 1  # only the token that has them
    assert "Where the heads looked" in page and "Layer 0, head by head" in page
    assert "How sure the model was" in page
    assert "<script" not in page and "https://" not in page
    pt = trace_page([inside], "trace", "Resposta", WORDS["pt"])
    assert "Para onde as cabeças olharam" in pt and "Quão seguro o modelo estava" in pt
