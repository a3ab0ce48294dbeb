"""The comparison view: prompts down, models across, answers side by side with their speed."""

from __future__ import annotations

from html.parser import HTMLParser

from samantha.documents.compare import compare, grid_html, grid_json, grid_markdown

from .test_export import cycle, make_run

SCRIPT = "[Answer briefly.]\nWhat is love?\nWhy | how?"


def two_models_two_prompts():
    return make_run(
        cycle(1, model="default", item=1, prompt="Answer briefly.\n\nWhat is love?",
              response="Love is <b>care</b>.\nTwo lines.", tokens=10, seconds=2.0),
        cycle(2, model="default", item=2, prompt="Answer briefly.\n\nWhy | how?",
              response="Because.", tokens=4, seconds=1.0),
        cycle(3, model="https://host/repo/tiny.gguf?download=true", item=1,
              prompt="Answer briefly.\n\nWhat is love?", response="A feeling.", tokens=30,
              seconds=1.0),
        cycle(4, model="https://host/repo/tiny.gguf?download=true", item=2,
              prompt="Answer briefly.\n\nWhy | how?", response="", tokens=0, seconds=0.0,
              status="failed", error="the model did not load"),
        cycle(5, model="default", round=2, item=1, prompt="Answer briefly.\n\nWhat is love?",
              response="Again.", tokens=6, seconds=1.0),
        config={"prompts": SCRIPT, "models": ["default", "tiny.gguf"]})


def test_rows_are_prompts_columns_are_models_and_rounds_share_a_cell() -> None:
    grid = compare(two_models_two_prompts())
    assert grid.models == ["default", "https://host/repo/tiny.gguf?download=true"]
    assert [prompt for prompt, _ in grid.rows] == ["1. What is love?", "2. Why | how?"]
    love = grid.rows[0][1]
    assert [a.text for a in love[0]] == ["Love is <b>care</b>.\nTwo lines.", "Again."]
    assert [a.text for a in love[1]] == ["A feeling."]
    assert grid.speed("default") == (10 + 4 + 6) / (2.0 + 1.0 + 1.0)
    assert grid.speed(grid.models[1]) == 30.0


def test_markdown_table_keeps_one_row_per_prompt_and_escapes_the_answers() -> None:
    table = grid_markdown(compare(two_models_two_prompts()), limit=12)
    lines = table.splitlines()
    assert lines[0] == "| Prompt | default | tiny.gguf |"
    assert len(lines) == 2 + 2 + 1  # header, rule, two prompts, speeds
    assert "Love is &lt;b&gt;c…" in lines[2]  # escaped, cut at the limit
    assert "2. Why \\| how?" in lines[3] and "failed: the model did not load" in lines[3]
    assert "5.0 tokens/s" in lines[2] and lines[4].endswith("**30.0 tokens/s** |")
    assert all(line.count(" | ") >= 2 for line in lines if not line.startswith("|---"))


def test_html_page_is_well_formed_and_holds_whole_answers() -> None:
    page = grid_html(compare(two_models_two_prompts()))
    cells: list[str] = []

    class Cells(HTMLParser):
        def handle_data(self, data: str) -> None:
            cells.append(data)

    Cells().feed(page)
    assert "Love is <b>care</b>.\nTwo lines." in cells  # the answer's own HTML shown as text
    assert "<b>care</b>" not in page


def test_json_has_every_answer_and_each_speed() -> None:
    data = grid_json(compare(two_models_two_prompts()))
    assert data["speed"]["default"] == 5.0
    first = data["rows"][0]["answers"]
    assert [a["text"] for a in first["default"]][1] == "Again."
    assert first["https://host/repo/tiny.gguf?download=true"][0]["tokens_per_second"] == 30.0
