"""Pure view functions of the UI."""

from __future__ import annotations

import html

import numpy as np
import pytest

from samantha.core.answer_events import DownloadProgress
from samantha.core.errors import SettingsError
from samantha.core.sampler_chain import SamplerChain
from samantha.core.settings import Settings
from samantha.core.trace import make_step
from samantha.ui import views
from samantha.ui.chat.prompt_collections import needs_feedback
from samantha.ui.header import Header
from samantha.ui.words.table import texts

EN, PT = texts("en"), texts("pt")


@pytest.mark.parametrize("choice, pace", [("OFF", False), ("0", None), ("0.3", 0.3),
                                          ("10", 10.0), ("NEXT TOKEN", "step")])
def test_pace_of(choice: str, pace: object) -> None:
    assert views.pace_of(choice) == pace


@pytest.mark.parametrize("lang, words", [("en", "base model"), ("pt", "modelo base")])
def test_the_default_model_is_said_to_continue_text(lang: str, words: str) -> None:
    header = Header(texts(lang))
    assert words in header.model_line(["default"]) and words in header.model_line([])
    assert words not in header.model_line(["my-chat-model.gguf"])
    assert words not in header.model_line(["default", "other.gguf"])


def test_model_lines() -> None:
    assert views.model_lines("default\n\n---old.gguf\n  a.gguf \ndefault") == [
        "default", "a.gguf", "default"]


@pytest.mark.parametrize("spec, shown", [
    ("default", "default"),
    ("/home/someone/models/bartowski/Qwen2.5-7B-Instruct-GGUF/qwen-q4_k_m.gguf",
     "qwen-q4_k_m.gguf"),
    ("https://huggingface.co/o/r/resolve/main/m.Q4_K_M.gguf?download=true", "m.Q4_K_M.gguf"),
    ("C:\\models\\m.gguf", "m.gguf"),
    ("meta-llama/Llama-3-8B@openrouter", "meta-llama/Llama-3-8B@openrouter"),  # a backend's
    ("parrot@parrot", "parrot@parrot"),
])
def test_a_model_is_named_by_its_file_in_lists(spec: str, shown: str) -> None:
    assert views.short_model(spec) == shown


def step():
    logits = np.log(np.array([0.1, 0.2, 0.3, 0.4], dtype=np.float32))
    return make_step(1, logits, SamplerChain(Settings(), seed=0).pick(logits), 3,
                     lambda i: f"<t{i}>\n".encode())


def test_candidate_table_marks_the_chosen_and_escapes_pieces() -> None:
    table = views.candidate_table(step(), EN)
    assert table.count("<tr") == 4 and table.count('class="chosen"') == 1
    assert "&lt;t3&gt;⏎" in table and "<t3>" not in table  # the new line made visible
    assert "<th>rank</th>" in table and "<th>posição</th>" in views.candidate_table(step(), PT)


def test_the_live_panel_holds_the_tokens_line_and_its_candidates_escaped() -> None:
    live = views.live_panel(step(), EN)
    assert live.startswith('<p class="live-stages"><strong>Token ')
    assert html.escape(views.stage_summary(step(), views.vocabulary_size(step()))) in live
    assert live.endswith(views.candidate_table(step(), EN))
    assert "<t3>" not in live and views.live_panel(None, EN) == ""


def spaced_step():
    logits = np.log(np.array([0.5, 0.3, 0.2], dtype=np.float32))
    pieces = {0: b" of", 1: b" ", 2: b"\n"}
    return make_step(1, logits, SamplerChain(Settings(), seed=0).pick(logits), 3,
                     lambda i: pieces[i])


def test_whitespace_is_visible_in_the_table_and_the_bars() -> None:
    table = views.candidate_table(spaced_step(), EN)
    assert "<code>␣of</code>" in table and "<code>␣</code>" in table and "<code>⏎</code>" in table
    bars = views.probability_chart(spaced_step(), EN)
    assert "1. ␣of" in bars and "2. ␣" in bars and "3. ⏎" in bars


def test_the_bars_are_in_rank_order_with_the_chosen_one_marked() -> None:
    logits = np.log(np.array([0.01] * 8 + [0.2, 0.3, 0.1, 0.05], dtype=np.float32))
    s = make_step(1, logits, SamplerChain(Settings(), seed=0).pick(logits), 12,
                  lambda i: f"t{i}".encode())
    chart = views.probability_chart(s, EN)
    labels = [chart.index(f">{rank}. ") for rank in range(1, 13)]
    assert labels == sorted(labels)  # 1., 2., … 10., 11., 12. top to bottom, not as text
    assert chart.index(">1. t9<") < chart.index(">2. t8<") and "probability" in chart


def test_charts_are_empty_before_there_is_data() -> None:
    assert views.probability_chart(None, EN) == ""
    assert views.rank_chart([], EN) == "" and views.entropy_chart([], EN) == ""
    assert views.stage_text(None, EN) == "" and views.candidate_table(None, EN) == ""


def test_the_rank_chart_says_when_every_token_was_the_most_likely() -> None:
    chart = views.rank_chart([step()], EN)
    assert html.escape(EN["ranks_none"].label, quote=False) in chart and "<line" not in chart


def test_settings_from_values() -> None:
    settings = views.settings_from_values({"temperature": 0.5}, '["x"]', "")
    assert settings.temperature == 0.5 and settings.stop == ("x",) and settings.seed is None
    assert views.settings_from_values({}, "", " 42 ").seed == 42
    assert views.settings_from_values({}, "", None).seed is None


@pytest.mark.parametrize("seed", ["abc", "-1", "1.5"])
def test_a_bad_seed_is_explained(seed: str) -> None:
    with pytest.raises(SettingsError, match="seed"):
        views.settings_from_values({}, "", seed)


def test_download_text() -> None:
    assert views.download_text(DownloadProgress("http://h/a/m.gguf?x=1", 2**20, 4 * 2**20)) \
        == "⏬ m.gguf: 25% · 1 / 4 MiB"


def test_iframe_is_sandboxed() -> None:
    frame = views.iframe("<script>alert(1)</script>")
    assert 'sandbox=""' in frame and "<script>" not in frame


@pytest.mark.parametrize("example,feeds", [
    ("Translate this.\n$$$\nRefine even more the prompt in your previous response.", True),
    ("Traduza isto.\n$$$\nMelhore a Resposta anterior.", True),
    ("Summarise your previous response.", False),  # one prompt: the field is what it means
    ("Write a poem.\n$$$\nWrite a song.", False),
])
def test_examples_that_work_on_the_previous_response(example: str, feeds: bool) -> None:
    assert needs_feedback(example) is feeds
