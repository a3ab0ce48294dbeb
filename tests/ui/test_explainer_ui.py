"""Learning mode as an explainer in real Chromium: the candidates after each stage, and the
answer coloured token by token with its candidates on hover."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from samantha.store import RunStore

from .conftest import shot
from .pages import (
    COUNT,
    footers,
    open_in_history,
    open_panel,
    output,
    set_number,
    set_prompts,
    wait_footers,
)

pytestmark = pytest.mark.e2e


def learning_answer(page, tokens: int, prompt: str = "The capital of France is",
                    wait: bool = True) -> None:
    """A learning-mode answer at free pace, started (``wait``: and finished)."""
    set_prompts(page, prompt)
    set_number(page, "max_tokens", tokens)
    open_panel(page, "learning-panel")
    page.locator("#learning-pace").get_by_text("0", exact=True).click()
    page.click("#start-button")
    if wait:
        wait_footers(page, 1)


LIVE = "document.querySelector('#live-learning .live-learning')"


def test_at_full_speed_the_token_and_its_candidates_stream_beside_the_text(page) -> None:
    """Mid-answer, the live stream's panel shows the last token in place of Gradio's; once
    the answer is in, Gradio's shows its last token again."""
    learning_answer(page, 200, COUNT, wait=False)
    page.wait_for_function(f"{LIVE}.querySelector('table.candidates tr.chosen') !== null")
    assert not page.locator("#stages").is_visible()  # the live one stands in for it
    first = page.inner_text("#live-learning .live-stages")
    page.wait_for_function(f"{LIVE}.innerText.split(':')[0] !== {json.dumps(first.split(':')[0])}")
    assert footers(page) == 0  # still generating: the token line moved on with the answer
    wait_footers(page, 1)
    page.wait_for_function(f"{LIVE}.innerHTML === ''")
    tokens = re.search(r"---------- \((\d+) tokens", output(page)).group(1)
    assert page.locator("#stages").is_visible()
    assert page.inner_text("#stages").startswith(f"Token {tokens}:")
    assert page.locator("#candidates tr.chosen").count() == 1


def test_each_stage_and_each_token_of_a_learning_answer(page) -> None:
    learning_answer(page, 4)
    page.wait_for_function("document.querySelectorAll('#answer-tokens .tok').length == 4")
    heads = page.locator("#stage-table thead th").all_inner_texts()
    assert heads[:3] == ["token", "raw scores", "top-k (40)"]  # the chain's order, as counted
    assert "tail-free (1)" in heads
    chosen = page.locator("#stage-table tr.chosen")
    assert chosen.count() == 1 and "1.000" in chosen.inner_text()  # greedy: it alone is left
    assert page.locator("#stage-table td.removed").count() > 0  # the others, struck out
    token = page.locator("#answer-tokens .tok").nth(1)
    assert not token.locator(".alts").is_visible()
    token.hover()
    alts = token.locator(".alts")
    assert alts.is_visible() and alts.inner_text().startswith("Token 2 (rank 1")
    assert alts.inner_text().count("\n") == 10  # its ten candidates under the heading
    alts.scroll_into_view_if_needed()  # and all of them on screen, the last too (not clipped)
    box = alts.bounding_box()
    bottom = alts.evaluate(f"(e) => e.contains(document.elementFromPoint("
                           f"{box['x'] + 20}, {box['y'] + box['height'] - 6}))")
    assert bottom, "the candidates' last lines are hidden"
    assert "p ≥ 0.9" in page.inner_text("#answer-tokens")  # the legend
    shot(page, "learning-explainer")


def test_the_trace_page_opens_offline_with_the_numbers_of_the_cli(browser, session_home: Path,
                                                                   tmp_path: Path) -> None:
    env = {**os.environ, "SAMANTHA_HOME": str(session_home)}
    script = tmp_path / "prompt.txt"
    script.write_text("The capital of France is\n", encoding="utf-8")

    def samantha(*args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "samantha", *args], env=env, check=True,
                              capture_output=True, text=True, timeout=300)
        return done.stdout

    samantha("run", str(script), "--learn", "--max-tokens", "5", "--preset", "stochastic",
             "--seed", "4")
    run_id = RunStore(session_home / "history.sqlite3").latest_run_id()
    steps = [json.loads(line) for line in samantha("history", "trace", str(run_id),
                                                   "--json").splitlines()]
    page_file = tmp_path / "trace.html"
    samantha("history", "trace", str(run_id), "--html", str(page_file))
    context = browser.new_context(offline=True)
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(page_file.as_uri())
    assert requests == [page_file.as_uri()]  # nothing else is fetched
    assert page.locator(".trace-answer .tok").count() == len(steps) == 5
    for step in steps:
        section = page.locator(f"#token-{step['step']}")
        text = section.inner_text()
        assert f"p {step['p']:.4f}" in text
        for c in step["candidates"][:3]:
            assert f"{c['p']:.4f}" in text  # the bars' numbers
        for view in step["views"]:
            assert f"{view['name']} ({view['kept']})" in text
            p = view["survivors"][0][1]
            assert f"{p:.3f}" in section.locator("table.stage-table").inner_text()
    context.close()


def test_click_a_candidate_and_its_branch_appears_beside_the_original(page,
                                                                       session_home: Path) -> None:
    learning_answer(page, 6)
    with RunStore(session_home / "history.sqlite3") as store:
        run_id = store.latest_run_id()
        parent = store.get_run(run_id).cycles[0]
        steps = store.get_trace(parent.id)
    open_in_history(page, session_home, run_id)
    open_panel(page, "trace-viewer")
    page.locator("#trace-step input").fill("2")
    page.locator("#branch-more input").fill("4")
    page.click("#trace-show")
    page.wait_for_function("document.querySelectorAll('#trace-candidates tbody tr').length > 0")
    third = steps[1]["candidates"][2]
    page.locator(f'#trace-candidates tr[data-token="{third["id"]}"]').click()
    page.wait_for_function("document.querySelector('#branch-view').innerText.includes("
                           "'Stored as run')", timeout=60_000)
    view = page.inner_text("#branch-view")
    assert "Original answer" in view and parent.response.strip()[:10] in view
    with RunStore(session_home / "history.sqlite3") as store:
        branch = store.get_run(store.latest_run_id())
    assert branch.parent == {"run": run_id, "cycle": 1, "step": 2, "token": third["id"]}
    column = page.inner_text("#branch-view .side-by-side > div:nth-child(2)")
    assert branch.cycles[0].response.strip() in column
    assert page.locator("#branch-view mark").count() == 2  # where the two answers part
    shot(page, "branch")
    page.click("#trace-page")
    page.wait_for_function("document.querySelector('#trace-file a') !== null")


def test_in_the_chat_tab_a_click_on_a_candidate_branches_from_the_token_in_view(
        page, session_home: Path) -> None:
    learning_answer(page, 4)
    with RunStore(session_home / "history.sqlite3") as store:
        run_id = store.latest_run_id()
        parent = store.get_run(run_id).cycles[0]
        last = store.get_trace(parent.id)[-1]
    other = last["candidates"][2]  # the third most likely, not the one chosen
    page.wait_for_function("document.querySelectorAll('#candidates tbody tr').length == 10")
    page.locator(f"#candidates tr[data-token='{other['id']}']").click()
    page.wait_for_function("document.querySelector('#chat-branch-view').innerText"
                           ".includes('Stored as run')", timeout=60_000)
    with RunStore(session_home / "history.sqlite3") as store:
        branch = store.get_run(store.latest_run_id())
    assert branch.id != run_id
    assert branch.parent == {"run": run_id, "cycle": 1, "step": last["step"],
                             "token": other["id"]}
    view = page.inner_text("#chat-branch-view")
    assert f"a branch of run {run_id}, cycle 1, at token {last['step']}" in view
    assert branch.cycles[0].response.strip()[:20] in view  # the branch, beside the original
    page.locator("#chat-branch-view").scroll_into_view_if_needed()
    shot(page, "chat-branch")


def test_what_if_changes_the_table_without_generating(page, session_home: Path) -> None:
    learning_answer(page, 3)
    with RunStore(session_home / "history.sqlite3") as store:
        runs, cycle = store.latest_run_id(), store.get_run(store.latest_run_id()).cycles[0]
    answer = page.input_value("#output textarea")
    box = page.locator("#what-if textarea")
    assert "tfs_z=1" in (box.get_attribute("placeholder") or "")  # what to type
    box.fill("top_k=3, tfs_z=1, typical_p=1, top_p=1, min_p=0, temperature=1")
    box.press("Enter")
    page.wait_for_function("document.querySelector('#what-if-table').innerText"
                           ".includes('top-k (3)')")
    table = page.inner_text("#what-if-table")
    assert "What if top_k=3" in table and "stored candidates" not in table  # the full scores
    assert page.locator("#what-if-table tbody tr").count() >= 3
    box.fill("top_k=5, tfs_z=1, typical_p=1, top_p=1, min_p=0, temperature=1")
    box.press("Enter")
    page.wait_for_function("document.querySelector('#what-if-table').innerText"
                           ".includes('top-k (5)')")
    assert page.input_value("#output textarea") == answer  # nothing was generated
    with RunStore(session_home / "history.sqlite3") as store:
        assert store.latest_run_id() == runs
        assert store.get_run(runs).cycles[0].tokens == cycle.tokens == 3
    open_in_history(page, session_home, runs)  # a stored trace: over its candidates
    open_panel(page, "trace-viewer")
    page.click("#trace-show")
    page.wait_for_function("document.querySelectorAll('#trace-candidates tbody tr').length > 0")
    stored = page.locator("#trace-what-if textarea")
    stored.fill("top_k=2, tfs_z=1, typical_p=1, top_p=1, min_p=0, temperature=1")
    stored.press("Enter")
    page.wait_for_function("document.querySelector('#trace-what-if-table').innerText"
                           ".includes('top-k (2)')")
    assert "10 stored candidates" in page.inner_text("#trace-what-if-table")
