"""The Arena tab and the History tab's leaderboard in headless Chromium at 1366×768, against the
real ``samantha ui``. The runs are written to the server's own history file as a chain would
write them: no model generates here."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from samantha.core.rubric import seed_rubric
from samantha.store import RunStore

from .conftest import shot
from .pages import open_in_history, open_panel

pytestmark = pytest.mark.e2e

WIDTH = 1366
#: Two models whose names appear nowhere else on the page.
LEFT, RIGHT = "/models/zebra-finch-7b.gguf", "okapi-3b@lab"
SHORT = {LEFT: "zebra-finch-7b.gguf", RIGHT: "okapi-3b@lab"}
#: What an answer may hold: each would open a dialog (or retitle the page) if it ran.
HOSTILE = ("Here: <img src=x onerror=alert(1)> and [x](javascript:alert(1)) and "
           "<a href=\"javascript:document.title='PWNED'\">click me</a>")


def stored_run(home: Path, answers: dict[str, list[str]], prompts: list[str]) -> int:
    """A finished run of these models' answers, in the server's history file."""
    with RunStore(home / "history.sqlite3") as store:
        run_id = store.start_run({"models": list(answers), "prompts": "\n".join(prompts)})
        number = 0
        for model, said in answers.items():
            for item, (prompt, text) in enumerate(zip(prompts, said), 1):
                number += 1
                cycle = store.start_cycle(run_id, number=number, model=model,
                                          model_path=None, model_sha256=None, round=1,
                                          item=item, prompt=prompt,
                                          messages=[{"role": "user", "content": prompt}],
                                          settings={}, random_overrides=None)
                store.finish_cycle(cycle, response=text, tokens=5, prompt_tokens=6,
                                   seconds=0.5, finish_reason="stop", error=None,
                                   status="done")
        store.finish_run(run_id, "finished")
    return run_id


def open_arena(page, run_id: int, expect: str = "not yet voted") -> None:
    """The Arena tab with ``run_id`` chosen in its list of runs, once the tab says ``expect``
    of it."""
    page.get_by_role("tab", name="Arena").click()
    field = page.locator("#arena-runs input")
    field.wait_for(state="visible")
    field.click()
    field.fill(str(run_id))
    page.get_by_role("option", name=re.compile(rf"^{run_id} · ")).click()
    page.keyboard.press("Escape")
    page.wait_for_function("document.querySelector('#arena-progress').innerText"
                           f".includes('{expect}')")


def next_pair(page) -> None:
    page.click("#arena-next")
    page.wait_for_function("document.querySelector('#arena-pair').innerText"
                           ".includes('Answer B')")


def within_width(page, selector: str) -> dict:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, selector
    assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH, (selector, box)
    return box


def test_a_blind_pair_a_vote_the_names_and_the_ratings(page, session_home: Path) -> None:
    run_id = stored_run(session_home, {LEFT: ["Crimson, like a cardinal.", "A ripe mango."],
                                       RIGHT: ["Blue.", "A pear."]},
                        ["Name a colour and say why.", "Name a fruit."])
    open_arena(page, run_id)
    assert "2 of 2 pairs not yet voted" in page.inner_text("#arena-progress")
    assert page.locator("#arena-first").is_disabled()  # nothing to vote on yet
    help_text = page.locator("#arena-vote-help .info-text")
    assert not help_text.is_visible()
    page.click("#samantha-help-switch")  # the buttons' help, with every control's
    assert help_text.is_visible() and "Votes for Answer A" in help_text.inner_text()
    page.click("#samantha-help-switch")
    next_pair(page)
    shown = " ".join(page.inner_text(s) for s in ("#arena-pair", "#arena-progress",
                                                  "#arena-reveal", "#arena-ratings"))
    assert "Answer A" in shown and "Pair 1 of 2" in shown
    for name in (*SHORT.values(), "zebra", "okapi"):
        assert name not in shown  # the models hidden before the vote
    a, b = page.locator("#arena-pair .arena-answer").all()
    a_box, b_box = within_width(page, "#arena-pair .arena-answer"), b.bounding_box()
    assert a_box["x"] + a_box["width"] <= b_box["x"] and abs(a_box["y"] - b_box["y"]) < 2
    assert b_box["x"] + b_box["width"] <= WIDTH  # side by side, both in sight
    a_text = a.locator(".arena-text").inner_text()
    shot(page, "arena-pair")

    page.click("#arena-first")  # A is better
    page.wait_for_function("document.querySelector('#arena-reveal').innerText"
                           ".includes('A was')")
    reveal = page.inner_text("#arena-reveal")
    a_model = LEFT if a_text in ("Crimson, like a cardinal.", "A ripe mango.") else RIGHT
    b_model = RIGHT if a_model == LEFT else LEFT
    assert f"A was {SHORT[a_model]}, B was {SHORT[b_model]}." in reveal
    assert "A is better" in reveal
    page.wait_for_function(
        "(() => { const t = document.querySelector('#arena-ratings').innerText;"
        f" return t.includes('{SHORT[LEFT]}') && t.includes('{SHORT[RIGHT]}'); }})()")
    ratings = page.inner_text("#arena-ratings")
    assert "100%" in ratings and "0%" in ratings
    page.locator("#arena-note").scroll_into_view_if_needed()
    assert "Bradley-Terry" in page.inner_text("#arena-note")
    within_width(page, "#arena-ratings")
    shot(page, "arena-ratings")
    assert page.locator("#arena-first").is_disabled()  # one vote per pair
    assert "1 of 2 pairs not yet voted" in page.inner_text("#arena-progress")
    shot(page, "arena-voted")

    with RunStore(session_home / "history.sqlite3") as store:
        votes = store.votes([run_id])
        cycles = {c.id: c.model for c in store.get_run(run_id).cycles}
    assert len(votes) == 1 and votes[0].voter == "you" and votes[0].winner == "first"
    assert cycles[votes[0].first_cycle] == a_model and cycles[votes[0].second_cycle] == b_model


def test_nothing_to_compare_says_what_to_do(page, session_home: Path) -> None:
    run_id = stored_run(session_home, {"default": ["Blue."]}, ["Name a colour."])
    open_arena(page, run_id, "two or more models")
    page.click("#arena-next")
    page.wait_for_timeout(500)
    assert "two or more models" in page.inner_text("#arena-progress")
    assert page.inner_text("#arena-pair").strip() == ""


def test_a_hostile_answer_is_shown_inert_in_the_arena(page, session_home: Path) -> None:
    run_id = stored_run(session_home, {"smollm2": [HOSTILE], "default": ["Plain."]},
                        ["Say something <b>bold</b>."])
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    open_arena(page, run_id)
    next_pair(page)
    pair = page.locator("#arena-pair")
    assert pair.locator("img").count() == 0 and pair.locator("a").count() == 0
    assert pair.locator("b").count() == 0
    text = pair.inner_text()
    assert "<img src=x onerror=alert(1)>" in text  # shown as the characters it is
    assert "[x](javascript:alert(1))" in text and "<b>bold</b>" in text
    handlers = page.eval_on_selector_all(
        "#arena-pair *", "es => es.flatMap(e => e.getAttributeNames().filter(n => "
                         "n.startsWith('on')))")
    assert handlers == []
    pair.get_by_text("click me", exact=False).first.click()
    page.click("#arena-tie")
    page.wait_for_function("document.querySelector('#arena-reveal').innerText"
                           ".includes('A was')")
    page.wait_for_timeout(300)
    assert dialogs == [] and "PWNED" not in page.title()
    shot(page, "arena-inert")


def test_the_history_tab_shows_a_runs_leaderboard_and_its_chart(page, session_home) -> None:
    run_id = stored_run(session_home, {LEFT: ["Crimson."], RIGHT: ["Blue."]},
                        ["Name a colour."])
    rubric = seed_rubric().to_dict()
    keys = [key for key, _ in rubric["criteria"]]
    with RunStore(session_home / "history.sqlite3") as store:
        for cycle, score in zip(store.get_run(run_id).cycles, (4, 2)):
            for judge, shift in (("smollm2", 0), ("default", 1)):
                scores = {key: min(5, score + shift) for key in keys}
                store.add_judgement(cycle.id, judge, rubric, scores=scores, reason="fine",
                                    problem=None, answer="{}", tokens=40, seconds=2.0)
    open_in_history(page, session_home, run_id)
    open_panel(page, "history-leaderboard-section")
    page.wait_for_selector("#history-leaderboard table.leaderboard", timeout=30_000)
    page.wait_for_selector("#history-leaderboard svg")
    board = page.locator("#history-leaderboard")
    assert LEFT in board.inner_text() and RIGHT in board.inner_text()
    rows = board.locator("table.leaderboard tbody tr")
    assert rows.count() == 2 and LEFT in rows.first.inner_text()  # the better scored first
    board.locator("table.leaderboard").scroll_into_view_if_needed()
    within_width(page, "#history-leaderboard table.leaderboard")
    within_width(page, "#history-leaderboard svg")
    assert "samantha judge ID --judge smollm2" in page.inner_text(
        "#history-leaderboard-help")
    shot(page, "history-leaderboard")
