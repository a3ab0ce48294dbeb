"""The Code panel at 1366×768 (issue 26, items 8 and 11), in headless Chromium against the real
``samantha ui`` and the real sandbox: a matplotlib figure is shown whole (not its top 40% in a
260-px gallery), and the sandbox's note is said once, its first words not repeated."""

from __future__ import annotations

from pathlib import Path

import pytest

from samantha.execution.results import ISOLATED, NOT_ISOLATED, CodeResult
from samantha.ui.chat.code import CodePanel
from samantha.ui.words.table import texts

from .conftest import shot
from .pages import run_code

NOTE = ("Confined by bubblewrap: ran as the unprivileged user nobody in namespaces of its own. "
        "Memory: 2 GiB for the whole run.")


def result(isolation: str, note: str) -> CodeResult:
    return CodeResult("4\n", "", 0, 0.1, False, False, None, Path("."), (), (), isolation, note)


@pytest.mark.parametrize("lang, head", [("en", "🔒 Confined by bubblewrap: ran as"),
                                        ("pt", "🔒 Confinado pelo bubblewrap: ran as")])
def test_the_isolation_line_says_its_head_once(lang: str, head: str) -> None:
    line = CodePanel(texts(lang), str).isolation_text(result(ISOLATED, NOTE))
    assert line.startswith(head) and line.count("bubblewrap") == 1 and "Memory:" in line


def test_the_result_page_leaves_the_note_to_the_line_above_it() -> None:
    import gradio as gr

    panel = CodePanel(texts("en"), str)
    with gr.Blocks():
        panel.build()
    for kind in (ISOLATED, NOT_ISOLATED):
        shown = panel.view(result(kind, NOTE), hide=False)
        assert "Memory:" in shown[panel.isolation]
        assert "Memory:" not in shown[panel.result] and "4" in shown[panel.result]

#: What part of the figure the user sees: the picture as drawn (``object-fit`` applied) within
#: the visible part of every box around it up to the gallery.
SEEN = """() => {
  const img = document.querySelector('#figures img');
  const box = img.getBoundingClientRect();
  const fit = getComputedStyle(img).objectFit;
  const scales = [box.width / img.naturalWidth, box.height / img.naturalHeight];
  const scale = fit === 'cover' ? Math.max(...scales) : fit === 'fill' ? null
                : Math.min(...scales);
  const w = scale ? img.naturalWidth * scale : box.width;
  const h = scale ? img.naturalHeight * scale : box.height;
  let left = box.left + (box.width - w) / 2, top = box.top + (box.height - h) / 2;
  let right = left + w, bottom = top + h;
  const drawn = {w, h, aspect: w / h, natural: img.naturalWidth / img.naturalHeight};
  for (let e = img; e && e.id !== 'figures'; e = e.parentElement) {
    if (getComputedStyle(e).overflow === 'visible') continue;
    const r = e.getBoundingClientRect();
    left = Math.max(left, r.left); top = Math.max(top, r.top);
    right = Math.min(right, r.right); bottom = Math.min(bottom, r.bottom);
  }
  return {...drawn, seenWidth: right - left, seenHeight: bottom - top};
}"""


@pytest.mark.e2e
def test_a_figure_is_shown_whole(page) -> None:
    run_code(page, "import matplotlib.pyplot as plt\nplt.plot([1, 3, 2])\nplt.show()\n")
    page.wait_for_function("(() => { const i = document.querySelector('#figures img');"
                           " return i && i.complete && i.naturalHeight > 0; })()",
                           timeout=60_000)
    page.locator("#figures").scroll_into_view_if_needed()
    seen = page.evaluate(SEEN)
    shot(page, "code-figure-whole")
    assert abs(seen["aspect"] - seen["natural"]) < 0.01, seen  # not stretched
    assert seen["seenHeight"] >= seen["h"] - 1 and seen["seenWidth"] >= seen["w"] - 1, seen
    assert seen["h"] >= 200, seen  # and big enough to read


@pytest.mark.e2e
def test_the_sandbox_note_is_said_once(page) -> None:
    run_code(page, "print('hello')")
    page.wait_for_selector("#code-result iframe", timeout=60_000)
    page.wait_for_function("document.querySelector('#code-isolation').innerText.trim() !== ''")
    said = page.inner_text("#code-isolation")
    result = page.frame_locator("#code-result iframe").locator("body").inner_text()
    shown = said + "\n" + result
    assert "hello" in result
    assert shown.count("Memory:") == 1, shown  # the note's last sentence, once
    head = said.split(":")[0]  # "🔒 Confined by bubblewrap" (or "⚠️ Not isolated")
    assert shown.count(head.split(" ", 1)[1]) == 1, shown
