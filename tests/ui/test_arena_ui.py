"""The Arena tab's handlers, and the History tab's leaderboard, on a real run history (runs
written to the store as a chain would write them; no model generates here)."""

from __future__ import annotations

import random
import re
from collections.abc import Mapping, Sequence

import gradio as gr
import pytest
from support.html_dangers import Dangers

from samantha.core.arena import PERSON
from samantha.core.rubric import seed_rubric
from samantha.store import RunStore
from samantha.ui.arena.tab import ArenaTab
from samantha.ui.arena.view import pair_html
from samantha.ui.history.tab import HistoryTab
from samantha.ui.words.table import texts

EN, PT = texts("en"), texts("pt")
HOSTILE = "Look: <img src=x onerror=alert(1)> and [x](javascript:alert(1)) <b>bold</b>"


def stored_run(store: RunStore,
               answers: Mapping[str, Sequence[str]] | Sequence[tuple[str, Sequence[str]]],
               prompts: Sequence[str] = ("Name a colour.", "Name a fruit.")) -> int:
    """A finished run: each model (in order) answers each prompt with its answers in turn."""
    chain = list(answers.items()) if isinstance(answers, Mapping) else list(answers)
    run_id = store.start_run({"models": [model for model, _ in chain],
                              "prompts": "\n".join(prompts)})
    number = 0
    for model, said in chain:
        for item, (prompt, text) in enumerate(zip(prompts, said), 1):
            number += 1
            cycle = store.start_cycle(run_id, number=number, model=model, model_path=None,
                                      model_sha256=None, round=1, item=item, prompt=prompt,
                                      messages=[{"role": "user", "content": prompt}],
                                      settings={}, random_overrides=None)
            store.finish_cycle(cycle, response=text, tokens=3, prompt_tokens=4, seconds=0.5,
                               finish_reason="stop", error=None, status="done")
    store.finish_run(run_id, "finished")
    return run_id


@pytest.fixture
def store(fake_workbench):
    return fake_workbench.store


@pytest.fixture
def arena(fake_workbench) -> ArenaTab:
    return ArenaTab(fake_workbench, EN, rng=random.Random(0))


def shown(result: tuple) -> dict:
    """The handler's outputs by name (the tab's ``outputs`` order)."""
    current, progress, pair, reveal, ratings, *buttons = result
    return {"current": current, "progress": progress, "pair": pair, "reveal": reveal,
            "ratings": ratings, "can_vote": [b.get("interactive") for b in buttons]}


def test_the_runs_are_offered_newest_first_with_their_models(arena, store) -> None:
    first = stored_run(store, {"/models/deep/smollm2.gguf": ["red"], "default": ["blue"]})
    second = stored_run(store, {"default": ["green"]})
    choices = arena.run_choices()
    assert [value for _, value in choices] == [second, first]
    assert choices[1][0] == f"{first} · Name a colour. · smollm2.gguf, default"


def test_nothing_chosen_or_nothing_to_compare_says_what_to_do(arena, store) -> None:
    assert shown(arena.draw([]))["progress"] == EN["msg_arena_pick"].label
    alone = stored_run(store, {"default": ["red", "apple"]})
    for result in (arena.choose([alone]), arena.draw([alone])):
        view = shown(result)
        assert "two or more models" in view["progress"] and view["current"] is None
        assert view["pair"] == "" and view["can_vote"] == [False] * 3
    twice = stored_run(store, [("default", ["red", "plum"]), ("default", ["blue", "fig"])])
    assert "two or more models" in shown(arena.choose([twice]))["progress"]  # one model twice
    assert "⚠️" in shown(arena.draw([9999]))["progress"]  # a run that is not there


def test_a_pair_hides_the_names_and_a_vote_reveals_them_and_is_stored(arena, store) -> None:
    run = stored_run(store, {"smollm2": ["Red.", "An apple."], "default": ["Blue.", "A plum."]})
    assert shown(arena.choose([run]))["progress"] == "2 of 2 pairs not yet voted: press Next pair."
    view = shown(arena.draw([run]))
    current = view["current"]
    assert view["progress"] == "Pair 1 of 2 · 2 not yet voted, this one included"
    assert view["can_vote"] == [True] * 3 and view["reveal"] == ""
    assert "Answer A" in view["pair"] and "Answer B" in view["pair"]
    assert current["prompt"] in view["pair"]
    assert "smollm2" not in view["pair"] and "default" not in view["pair"]
    assert {current["a"], current["b"]} == {"smollm2", "default"}
    a_text = current["a_text"]
    assert view["pair"].index(a_text) < view["pair"].index(current["b_text"])  # A on the left

    voted = shown(arena.vote(current, "first"))
    [stored] = store.votes([run])
    assert (stored.first_cycle, stored.second_cycle) == (current["first"], current["second"])
    assert stored.winner == "first" and stored.voter == PERSON == "you"
    assert f"A was {current['a']}, B was {current['b']}." in text_of(voted["reveal"])
    assert "A is better" in voted["reveal"]
    assert f"Answer A · {current['a']}" in voted["pair"]
    assert voted["current"] is None and voted["can_vote"] == [False] * 3
    assert voted["progress"] == "1 of 2 pairs not yet voted: press Next pair."
    rows = {row[0]: row for row in arena.ratings_for([run])}  # refreshed after the vote
    assert set(rows) == {"smollm2", "default"}
    winner, loser = rows[current["a"]], rows[current["b"]]
    assert (winner[3], winner[4], loser[3], loser[4]) == (1, "100%", 1, "0%")
    assert int(winner[1]) > 1000 > int(loser[1])
    assert winner[2] == loser[2] == "—"  # one vote: every resample the same, no interval

    # a second press on the same pair stores nothing
    again = shown(arena.vote(None, "second"))
    assert "Next pair first" in again["reveal"] and len(store.votes([run])) == 1

    # the other pair, then nothing left
    view = shown(arena.draw([run]))
    assert view["progress"].startswith("Pair 2 of 2 · 1 not yet voted")
    assert {view["current"]["first"], view["current"]["second"]} != \
        {current["first"], current["second"]}
    done = shown(arena.vote(view["current"], "tie"))
    assert "(2 in all)" in done["progress"]
    assert store.votes([run])[-1].winner == "tie"
    final = shown(arena.draw([run]))
    assert "(2 in all)" in final["progress"] and final["current"] is None
    chosen = shown(arena.choose([run]))  # the runs chosen again: their ratings with them
    assert {row[0] for row in chosen["ratings"]} == {"smollm2", "default"}
    assert sum(row[3] for row in chosen["ratings"]) == 4  # two games each
    for row in chosen["ratings"]:  # two votes that differ: an interval around the rating
        low, high = (int(x) for x in row[2].split(" – "))
        assert low < high and low <= int(row[1]) <= high
    assert arena.ratings_for([]) == [] and arena.ratings_for([9999]) == gr.skip()


def text_of(fragment: str) -> str:
    """The text of an HTML fragment, its tags dropped."""
    return re.sub(r"<[^>]+>", "", fragment)


def test_a_judges_votes_do_not_count_as_yours(arena, store) -> None:
    run = stored_run(store, {"smollm2": ["Red."], "default": ["Blue."]}, ["Name a colour."])
    cycles = store.get_run(run).cycles
    store.add_vote(cycles[0].id, cycles[1].id, "first", "smollm2")
    view = shown(arena.choose([run]))
    assert view["progress"].startswith("1 of 1 pairs") and view["ratings"] == []


def test_several_runs_compete_model_by_run(arena, store) -> None:
    one = stored_run(store, {"default": ["Red."]}, ["Name a colour."])
    two = stored_run(store, {"default": ["Blue."]}, ["Name a colour."])
    view = shown(arena.draw([one, two]))
    assert {view["current"]["a"], view["current"]["b"]} == {f"default (run {one})",
                                                            f"default (run {two})"}
    arena.vote(view["current"], "second")
    assert {row[0] for row in arena.ratings_for([one, two])} == {f"default (run {one})",
                                                                 f"default (run {two})"}


def test_the_order_shown_is_drawn(fake_workbench, store) -> None:
    run = stored_run(store, {"smollm2": ["Red."], "default": ["Blue."]}, ["Name a colour."])
    seen = {ArenaTab(fake_workbench, EN, rng=random.Random(seed)).draw([run])[0]["a"]
            for seed in range(20)}
    assert seen == {"smollm2", "default"}


def test_an_answer_with_markup_is_shown_as_its_text(arena, store) -> None:
    run = stored_run(store, {"smollm2": [HOSTILE], "default": ["<svg onload=alert(2)>"]},
                     ["Say <script>alert(3)</script>"])
    view = shown(arena.draw([run]))
    pair = view["pair"]
    assert Dangers(pair).found == []
    assert "<img" not in pair and "<a " not in pair and "<b>" not in pair and "<svg" not in pair
    assert "&lt;img src=x onerror=alert(1)&gt;" in pair
    assert "[x](javascript:alert(1))" in pair  # as characters, not a link
    assert "&lt;script&gt;alert(3)&lt;/script&gt;" in pair
    voted = shown(arena.vote(view["current"], "tie"))
    assert Dangers(voted["pair"]).found == [] and Dangers(voted["reveal"]).found == []


def test_a_models_name_with_markup_is_escaped_in_the_reveal() -> None:
    pair = pair_html("p", "a", "b", EN, ("<img src=x onerror=alert(1)>", "ok"))
    assert Dangers(pair).found == [] and "<img" not in pair


def test_portuguese(fake_workbench, store) -> None:
    arena = ArenaTab(fake_workbench, PT, "pt", rng=random.Random(0))
    run = stored_run(store, {"smollm2": ["Vermelho."], "default": ["Azul."]}, ["Uma cor?"])
    view = shown(arena.draw([run]))
    assert "Resposta A" in view["pair"] and view["progress"].startswith("Par 1 de 1")
    voted = shown(arena.vote(view["current"], "second"))
    assert "B é melhor" in voted["reveal"] and "A era" in text_of(voted["reveal"])
    assert "(1 ao todo)" in voted["progress"]
    several = shown(ArenaTab(fake_workbench, PT, "pt").draw(
        [run, stored_run(store, {"default": ["Verde."]}, ["Uma cor?"])]))
    assert "(execução " in several["current"]["a"] + several["current"]["b"]


# ------------------------------------------------------------------- the History tab's leaderboard

def test_the_history_tab_shows_the_runs_leaderboard(fake_workbench, store) -> None:
    run = stored_run(store, {"smollm2": ["Red."], "default": ["Blue."]}, ["Name a colour."])
    rubric = seed_rubric().to_dict()
    keys = [key for key, _ in rubric["criteria"]]
    for cycle, score in zip(store.get_run(run).cycles, (4, 2)):
        store.add_judgement(cycle.id, "smollm2", rubric, scores={k: score for k in keys},
                            reason="ok", problem=None, answer="{}", tokens=30, seconds=1.0)
    history = HistoryTab(fake_workbench, EN)
    board = history.leaderboard(run)
    assert '<table class="leaderboard">' in board and "<svg" in board
    assert board.index("smollm2") < board.index("default")  # the better scored first
    assert Dangers(board).found == []
    assert history.leaderboard(None) == "" and history.leaderboard("") == ""
    assert "⚠️" in history.leaderboard(9999)
    alone = stored_run(store, {"default": ["Blue."]}, ["Name a colour."])
    assert "<svg" not in history.leaderboard(alone)  # nothing judged: the table only
    assert "<th>Overall (mean [95% interval])</th>" in board
    portuguese = HistoryTab(fake_workbench, PT).leaderboard(run)
    assert "<th>Geral (média [intervalo de 95%])</th>" in portuguese
    assert "<th>Verificações aprovadas</th>" in portuguese and "Nota geral por modelo" in portuguese
    assert "Overall" not in portuguese and "unread" not in portuguese


def test_the_leaderboard_section_says_how_to_fill_it() -> None:
    for t in (EN, PT):
        help_text = t["history_leaderboard"].help
        assert "samantha judge ID --judge smollm2" in help_text
        assert "{check=contains:Paris}" in help_text and "--pairwise" in help_text
    assert "Arena tab" in EN["history_leaderboard"].help
    assert "arena" in PT["history_leaderboard"].help


def test_the_page_has_the_arena_tab_between_history_and_models(fake_workbench) -> None:
    from samantha.ui.app import build_app

    config = build_app(fake_workbench, "en").config
    tabs = [c["props"]["label"] for c in config["components"] if c["type"] == "tabitem"]
    assert tabs == ["Chat", "History", "Arena", "Models"]
    ids = {c["props"].get("elem_id") for c in config["components"]}
    assert {"arena-runs", "arena-next", "arena-first", "arena-second", "arena-tie",
            "arena-pair", "arena-ratings", "history-leaderboard"} <= ids
