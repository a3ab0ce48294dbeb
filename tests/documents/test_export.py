"""Run export: Markdown, self-contained HTML (fenced code, tables, escaped raw HTML) and JSON."""

from __future__ import annotations

import dataclasses
import json
import re
from html.parser import HTMLParser
from typing import Any

import pytest

from samantha.core.records import CycleRecord, RunRecord
from samantha.documents.export import (
    EXPORTERS,
    close_open_fence,
    markdown_to_html_page,
    run_to_html,
    run_to_json,
    run_to_markdown,
)

SETTINGS = {
    "n_ctx": 4000, "max_tokens": 64, "temperature": 0.8, "top_k": 40, "tfs_z": 1.0,
    "typical_p": 1.0, "top_p": 0.95, "min_p": 0.05, "presence_penalty": 0.0,
    "frequency_penalty": 0.0, "repeat_penalty": 1.1, "penalty_last_n": 64, "seed": 5, "stop": [],
}

CODE_RESPONSE = (
    "Aqui está a função:\n\n"
    "```python\n"
    "def menor(a, b):\n"
    "    return a if a < b else b\n"
    "\n"
    "print(menor(1, 2))\n"
    "```\n\n"
    "Feito. 🎉"
)
TABLE_RESPONSE = (
    "| Cidade | População |\n"
    "|--------|-----------|\n"
    "| São Paulo | 12 milhões |\n"
    "| Brasília | 3 milhões |\n"
)
SCRIPT_RESPONSE = (
    'Olá! <script>alert(1)</script> <img src=x onerror="alert(2)">\n\n<div>bloco</div>'
)


def cycle(number: int, **changes: Any) -> CycleRecord:
    values: dict[str, Any] = dict(
        id=100 + number, run_id=7, number=number, model="default", model_path="/m/gemma.gguf",
        model_sha256="ab" * 32, round=1, item=number, prompt=f"Pergunta número {number}",
        messages=[{"role": "user", "content": f"Pergunta número {number}"}],
        settings=dict(SETTINGS), random_overrides=None, response=f"Resposta {number}",
        tokens=12, prompt_tokens=5, seconds=1.26, finish_reason="stop", error=None,
        status="done", started_at="2025-06-01T10:00:00+00:00",
        finished_at="2025-06-01T10:00:02+00:00",
    )
    values.update(changes)
    return CycleRecord(**values)


def make_run(*cycles: CycleRecord, **changes: Any) -> RunRecord:
    values: dict[str, Any] = dict(
        id=7, started_at="2025-06-01T10:00:00+00:00", finished_at="2025-06-01T10:01:00+00:00",
        status="finished", stop_reason=None,
        config={"prompts": "Olá, ação e coração", "models": ["default", "tiny.gguf"],
                "loops": 2, "responses": 1, "feedback": True},
        cycles=list(cycles),
    )
    values.update(changes)
    return RunRecord(**values)


@pytest.fixture
def full_run() -> RunRecord:
    return make_run(
        cycle(1, response=CODE_RESPONSE,
              random_overrides={"repeat_penalty": 1.05, "temperature": 0.53, "tfs_z": 0.2,
                                "min_p": 0.31}),
        cycle(2, model="tiny.gguf", round=2, item=1, response=TABLE_RESPONSE,
              prompt="Explique a ação do coração"),
        cycle(3, response=SCRIPT_RESPONSE, prompt="Escreva <b>negrito</b>\nsegunda linha"),
        cycle(4, status="failed", response="", finish_reason="error", tokens=0, seconds=0.0,
              error="RuntimeError: contexto cheio (n_ctx 4000)"),
    )


class Elements(HTMLParser):
    """Every start tag with its attributes, as a real HTML parser sees them."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def named(self, name: str) -> list[dict[str, str | None]]:
        return [attrs for tag, attrs in self.tags if tag == name]


# ------------------------------------------------------------------------------------ Markdown


def test_markdown_has_title_facts_and_cycle_headings_in_order(full_run: RunRecord) -> None:
    text = run_to_markdown(full_run)
    assert text.startswith("# Samantha run 7\n")
    assert "2025-06-01T10:00:00+00:00" in text
    assert "finished" in text
    assert "default, tiny.gguf" in text
    assert "loops 2" in text and "responses 1" in text and "feedback on" in text
    headings = re.findall(r"^## .*$", text, flags=re.MULTILINE)
    assert headings == [
        "## 1. default — round 1, item 1",
        "## 2. tiny.gguf — round 2, item 1",
        "## 3. default — round 1, item 3",
        "## 4. default — round 1, item 4",
    ]


def test_markdown_stop_reason_only_when_present() -> None:
    assert "Stop reason" not in run_to_markdown(make_run(cycle(1)))
    stopped = make_run(cycle(1), status="stopped", stop_reason="STOP_SAMANTHA in the response")
    assert "STOP\\_SAMANTHA in the response" in run_to_markdown(stopped)


def test_markdown_prompt_is_a_blockquote_on_every_line(full_run: RunRecord) -> None:
    text = run_to_markdown(full_run)
    assert "> Escreva <b>negrito</b>\n> segunda linha\n" in text
    multi = run_to_markdown(make_run(cycle(1, prompt="um\n\ndois")))
    assert "> um\n>\n> dois\n" in multi


def test_markdown_settings_line_is_compact_and_ends_with_seed(full_run: RunRecord) -> None:
    line = next(
        ln for ln in run_to_markdown(full_run).splitlines() if ln.startswith("temperature 0.8")
    )
    assert line.startswith("temperature 0.8 · top_k 40 · ")
    assert line.endswith(" · seed 5")
    assert "repeat_penalty 1.1" in line and "min_p 0.05" in line
    assert "stop" not in line  # no stop strings: nothing to show


def test_markdown_settings_line_shows_stop_strings() -> None:
    settings = dict(SETTINGS, stop=["###", "User:"])
    text = run_to_markdown(make_run(cycle(1, settings=settings)))
    assert 'stop `["###", "User:"]` · seed 5' in text
    page = run_to_html(make_run(cycle(1, settings=dict(SETTINGS, stop=["`x`", "<b>"]))))
    assert '<code>["`x`", "&lt;b&gt;"]</code>' in page


def test_markdown_random_line_in_predecessor_order_only_when_present(
    full_run: RunRecord,
) -> None:
    text = run_to_markdown(full_run)
    assert text.count("RANDOM:") == 1
    assert (
        "RANDOM: temperature (0.53), tfs_z (0.2), min_p (0.31), repeat_penalty (1.05)\n" in text
    )
    first, second = text.split("## 2.")
    assert "RANDOM:" in first and "RANDOM:" not in second


def test_markdown_keeps_the_response_verbatim(full_run: RunRecord) -> None:
    text = run_to_markdown(full_run)
    assert CODE_RESPONSE in text
    assert TABLE_RESPONSE.strip() in text
    assert SCRIPT_RESPONSE in text


def test_markdown_footer_and_failed_cycle_error(full_run: RunRecord) -> None:
    text = run_to_markdown(full_run)
    assert "(12 tokens, 1.3 s, stop)" in text
    failed = text.split("## 4.")[1]
    assert "FAILED" in failed
    assert "RuntimeError: contexto cheio (n_ctx 4000)" in failed
    assert "(0 tokens, 0.0 s, error)" in failed
    assert "FAILED" not in text.split("## 4.")[0]


def test_markdown_marks_skipped_cycles() -> None:
    skipped = cycle(1, status="skipped", response="", finish_reason=None,
                    error="model file not found: x.gguf")
    text = run_to_markdown(make_run(skipped))
    assert "SKIPPED" in text and "model file not found: x.gguf" in text
    assert "(12 tokens, 1.3 s, skipped)" in text


def test_a_cut_off_code_block_is_closed_so_it_cannot_swallow_the_next_cycle() -> None:
    cut = cycle(
        1, response="Código:\n```python\nfor i in range(3):\n    print(i", finish_reason="length"
    )
    text = run_to_markdown(make_run(cut, cycle(2)))
    assert "    print(i\n```\n" in text
    page = run_to_html(make_run(cut, cycle(2)))
    assert "<h2>2. default — round 1, item 2</h2>" in page
    assert "<em>(12 tokens, 1.3 s, length)</em>" in page


@pytest.mark.parametrize(
    ("text", "closed"),
    [
        ("plain", "plain"),
        ("```\ncode\n```", "```\ncode\n```"),
        ("```py\ncode", "```py\ncode\n```"),
        ("````\n```\ninner", "````\n```\ninner\n````"),
        ("~~~\ncode", "~~~\ncode\n~~~"),
        ("inline ```code``` only", "inline ```code``` only"),
        ("```a\n```\n```b\nopen", "```a\n```\n```b\nopen\n```"),
    ],
)
def test_close_open_fence(text: str, closed: str) -> None:
    assert close_open_fence(text) == closed


# ---------------------------------------------------------------------------------------- HTML


def test_fenced_python_block_becomes_highlightable_code_with_lt_escaped_once(
    full_run: RunRecord,
) -> None:
    page = run_to_html(full_run)
    assert '<pre><code class="language-python">def menor(a, b):\n' in page
    assert "    return a if a &lt; b else b\n\nprint(menor(1, 2))\n</code></pre>" in page
    assert "&amp;lt;" not in page
    assert "```" not in page


def test_inline_code_with_angle_brackets_is_escaped_once() -> None:
    page = markdown_to_html_page("Use `a < b` and `<div>` and AT&T.", "t")
    assert "<code>a &lt; b</code>" in page
    assert "<code>&lt;div&gt;</code>" in page
    assert "AT&amp;T" in page
    assert "&amp;lt;" not in page and "&amp;amp;" not in page


def test_markdown_table_becomes_an_html_table(full_run: RunRecord) -> None:
    page = run_to_html(full_run)
    elements = Elements(page)
    assert len(elements.named("table")) == 1
    assert "<th>Cidade</th>" in page and "<th>População</th>" in page
    assert "<td>São Paulo</td>" in page


def test_table_and_list_right_after_a_paragraph_line_still_render() -> None:
    text = "Veja:\n| a | b |\n|---|---|\n| 1 | 2 |\n\nPassos:\n- um\n- dois\n\nOrdem:\n1. x\n2. y"
    page = markdown_to_html_page(text, "t")
    assert "<th>a</th>" in page
    assert "<li>um</li>" in page and "<li>dois</li>" in page
    assert "<ol>\n<li>x</li>" in page


def test_code_keeps_its_newlines_no_br() -> None:
    page = markdown_to_html_page("linha um\nlinha dois\n\n```\na\nb\n```", "t")
    assert "<br" not in page
    assert "<pre><code>a\nb\n</code></pre>" in page


def test_raw_html_in_responses_and_prompts_is_shown_as_text(full_run: RunRecord) -> None:
    page = run_to_html(full_run)
    elements = Elements(page)
    assert "<script" not in page.lower()
    assert elements.named("script") == []
    assert elements.named("img") == [] and elements.named("div") == []
    assert elements.named("b") == []
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Escreva &lt;b&gt;negrito&lt;/b&gt;" in page
    assert not any("onerror" in attrs for _, attrs in elements.tags)


def test_script_in_code_block_is_text_too() -> None:
    page = markdown_to_html_page("```html\n<script>alert(1)</script>\n```", "t")
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_javascript_links_lose_their_target_and_images_load_nothing() -> None:
    text = (
        "[a](javascript:alert(1)) [b](JaVa\tScRiPt:alert(1)) [c](https://example.org/) "
        "![fig](https://example.org/x.png) ![dot](data:image/png;base64,iVBORw0KGgo=)"
    )
    elements = Elements(markdown_to_html_page(text, "t"))
    hrefs = [attrs.get("href") for attrs in elements.named("a")]
    assert hrefs == [None, None, "https://example.org/", "https://example.org/x.png"]
    assert [attrs["src"] for attrs in elements.named("img")] == [
        "data:image/png;base64,iVBORw0KGgo="
    ]


def test_page_is_complete_and_self_contained(full_run: RunRecord) -> None:
    page = run_to_html(full_run)
    assert page.startswith("<!doctype html>")
    assert '<meta charset="utf-8">' in page
    assert "<title>Samantha run 7 — Olá, ação e coração</title>" in page
    assert "prefers-color-scheme: dark" in page
    assert page.rstrip().endswith("</html>")
    elements = Elements(page)
    assert elements.named("script") == [] and elements.named("link") == []
    for _, attrs in elements.tags:
        for name in ("src", "href"):
            assert not str(attrs.get(name) or "").startswith(("http://", "https://", "//"))
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "@import" not in page and "url(" not in page


def test_page_title_is_escaped() -> None:
    page = markdown_to_html_page("text", "<script>x</script> & co")
    assert "<title>&lt;script&gt;x&lt;/script&gt; &amp; co</title>" in page
    assert "<script" not in page


# ----------------------------------------------------------------------------------------- JSON


def test_json_round_trips_with_every_cycle_and_field(full_run: RunRecord) -> None:
    data = json.loads(run_to_json(full_run))
    assert data == dataclasses.asdict(full_run)
    assert [c["number"] for c in data["cycles"]] == [1, 2, 3, 4]
    field_names = {f.name for f in dataclasses.fields(CycleRecord)}
    assert all(set(c) == field_names for c in data["cycles"])
    rebuilt = RunRecord(**{**data, "cycles": [CycleRecord(**c) for c in data["cycles"]]})
    assert rebuilt == full_run


def test_json_keeps_unicode_as_text_and_is_indented(full_run: RunRecord) -> None:
    text = run_to_json(full_run)
    assert "Olá, ação e coração" in text and "🎉" in text and "São Paulo" in text
    assert "\\u" not in text
    assert text.startswith('{\n  "id": 7,')


# ---------------------------------------------------------------------------- all formats


@pytest.mark.parametrize("fmt", ["md", "html", "json"])
def test_unicode_survives_every_format(full_run: RunRecord, fmt: str) -> None:
    text = EXPORTERS[fmt](full_run)
    for word in ("Olá", "ação", "coração", "População", "São Paulo", "número", "🎉"):
        assert word in text, (fmt, word)


def test_exporters_mapping_is_complete_and_read_only() -> None:
    assert EXPORTERS["md"] is run_to_markdown
    assert EXPORTERS["html"] is run_to_html
    assert EXPORTERS["json"] is run_to_json
    with pytest.raises(TypeError):
        EXPORTERS["pdf"] = run_to_json  # type: ignore[index]


def test_running_run_without_cycles_exports() -> None:
    run = make_run(status="running", finished_at=None, config={})
    for exporter in EXPORTERS.values():
        assert "7" in exporter(run)
    assert "<title>Samantha run 7</title>" in run_to_html(run)
