"""The Arena tab: choose runs from the history, and compare their answers two at a time with the
models hidden; each vote is stored (voter "you") and the ratings from your votes refresh.

Which pairs, and in which order, is :mod:`samantha.core.arena`; what the tab shows is
:mod:`samantha.ui.arena.view`. The pair on screen belongs to the browser tab (a ``gr.State``),
so two tabs vote on their own pairs.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any, Iterable, Mapping

import gradio as gr

from samantha.core.arena import PERSON, next_pair, open_pairs, pairs, person_votes, standings
from samantha.core.errors import SamanthaError
from samantha.core.records import CycleRecord, VoteRecord
from samantha.ui import views
from samantha.ui.arena.view import (
    display_names,
    note_html,
    pair_html,
    rating_rows,
    reveal_html,
    vote_help_html,
)
from samantha.ui.words.table import Text

if TYPE_CHECKING:
    from samantha.workbench.facade import Workbench

#: Runs offered in the list, the newest first (as many as the History tab lists).
RUN_CHOICES = 200
#: A vote button's key and the winner it stores (the answers in the order shown: A first).
WINNERS = (("arena_a_better", "first"), ("arena_tie", "tie"), ("arena_b_better", "second"))


class ArenaTab:
    def __init__(self, bench: Workbench, t: Mapping[str, Text], lang: str = "en",
                 rng: random.Random | None = None) -> None:
        self.bench = bench
        self.t = t
        self.lang = lang
        self.rng = rng or random.Random()  # which pair, and which answer is A

    def build(self) -> None:
        t = self.t
        gr.Markdown(f"### {t['arena_intro'].label}\n{t['arena_intro'].help}",
                    elem_id="arena-intro")
        with gr.Row(equal_height=True):
            self.runs = gr.Dropdown(choices=self.run_choices(), value=[], multiselect=True,
                                    label=t["arena_runs"].label, info=t["arena_runs"].help,
                                    scale=5, elem_id="arena-runs")
            self.refresh = gr.Button(t["arena_refresh"].label, scale=1, elem_id="arena-refresh")
            self.next = gr.Button(t["arena_next"].label, variant="primary", scale=1,
                                  elem_id="arena-next")
        self.progress = gr.Markdown(t["msg_arena_pick"].label, elem_id="arena-progress")
        self.pair = gr.HTML(elem_id="arena-pair")
        with gr.Row(equal_height=True):
            self.buttons = [gr.Button(t[key].label, interactive=False,
                                      elem_id=f"arena-{winner}") for key, winner in WINNERS]
        gr.HTML(vote_help_html(t), elem_id="arena-vote-help")
        self.reveal = gr.HTML(elem_id="arena-reveal")
        self.ratings = gr.Dataframe(headers=t["arena_headers"].label.split("|"), value=[],
                                    label=t["arena_ratings"].label, interactive=False,
                                    elem_id="arena-ratings")
        gr.Markdown(f"**{t['arena_note'].label}.** {t['arena_note'].help}",
                    elem_id="arena-note")
        self.current = gr.State(None)  # the pair on screen, until it has a vote
        self._wire()

    @property
    def outputs(self) -> list[Any]:
        return [self.current, self.progress, self.pair, self.reveal, self.ratings,
                *self.buttons]

    def _wire(self) -> None:
        self.refresh.click(self.refresh_runs, outputs=self.runs)
        self.runs.change(self.choose, inputs=self.runs, outputs=self.outputs)
        self.next.click(self.draw, inputs=self.runs, outputs=self.outputs)
        for button, (_, winner) in zip(self.buttons, WINNERS):
            # the names at once; the ratings (a thousand fits: a second or two) after them
            button.click(lambda current, winner=winner: self.vote(current, winner),
                         inputs=self.current, outputs=self.outputs
                         ).then(self.ratings_for, inputs=self.runs, outputs=self.ratings)

    # -- the runs ------------------------------------------------------------------------------

    def run_choices(self) -> list[tuple[str, int]]:
        """The runs of the history, newest first, as (what the list shows, run id)."""
        return [(f"{run.id} · {run.title[:60]} · "
                 + ", ".join(views.short_model(m) for m in run.config.get("models", [])), run.id)
                for run in self.bench.store.list_runs(limit=RUN_CHOICES)]

    def refresh_runs(self) -> Any:
        return gr.update(choices=self.run_choices())

    @staticmethod
    def _ids(run_ids: Iterable[Any] | None) -> list[int]:
        return list(dict.fromkeys(int(i) for i in run_ids or [] if i not in (None, "")))

    def _read(self, ids: list[int]) -> tuple[list[CycleRecord], list[VoteRecord]]:
        cycles = [cycle for run_id in ids for cycle in self.bench.store.get_run(run_id).cycles]
        return cycles, self.bench.store.votes(ids)

    # -- what the tab shows --------------------------------------------------------------------

    def _shown(self, current: dict[str, Any] | None, progress: str, pair: str, reveal: str,
               ratings: Any, can_vote: bool) -> tuple[Any, ...]:
        return (current, progress, pair, reveal, ratings,
                *(gr.update(interactive=can_vote) for _ in WINNERS))

    def ratings_rows(self, cycles: list[CycleRecord],
                     votes: list[VoteRecord]) -> list[list[object]]:
        """The ratings from your votes on these answers (all of them, of every session)."""
        return rating_rows(standings(person_votes(cycles, votes)), display_names(cycles, self.t))

    def ratings_for(self, run_ids: Iterable[Any] | None) -> Any:
        """The ratings table of the chosen runs (as it was when a run cannot be read)."""
        try:
            return self.ratings_rows(*self._read(self._ids(run_ids)))
        except SamanthaError:
            return gr.skip()

    def _status(self, cycles: list[CycleRecord], votes: list[VoteRecord]) -> str:
        """How many pairs are waiting, or why there is none."""
        total = len(pairs(cycles))
        left = len(open_pairs(cycles, votes))
        if not total:
            return self.t["msg_arena_none"].label
        if not left:
            return self.t["msg_arena_done"].label.format(total=total)
        return self.t["msg_arena_ready"].label.format(left=left, total=total)

    def choose(self, run_ids: Iterable[Any] | None) -> tuple[Any, ...]:
        """Runs chosen: what they hold (pairs waiting, or why none) and their ratings."""
        ids = self._ids(run_ids)
        if not ids:
            return self._shown(None, self.t["msg_arena_pick"].label, "", "", [], False)
        try:
            cycles, votes = self._read(ids)
        except SamanthaError as exc:
            return self._shown(None, f"⚠️ {exc}", "", "", [], False)
        return self._shown(None, self._status(cycles, votes), "", "",
                           self.ratings_rows(cycles, votes), False)

    def draw(self, run_ids: Iterable[Any] | None) -> tuple[Any, ...]:
        """Next pair: one not yet voted on, drawn at random, the models hidden."""
        ids = self._ids(run_ids)
        if not ids:
            return self._shown(None, self.t["msg_arena_pick"].label, "", "", [], False)
        try:
            cycles, votes = self._read(ids)
        except SamanthaError as exc:
            return self._shown(None, f"⚠️ {exc}", "", "", [], False)
        match = next_pair(cycles, votes, self.rng)  # the ratings stay: no vote since
        if match is None:
            return self._shown(None, self._status(cycles, votes), "", "", gr.skip(), False)
        shown = display_names(cycles, self.t)
        current = {"runs": ids, "first": match.first.id, "second": match.second.id,
                   "a": shown[match.first_name], "b": shown[match.second_name],
                   "prompt": match.prompt, "a_text": match.first.response,
                   "b_text": match.second.response}
        progress = self.t["msg_arena_progress"].label.format(
            number=match.number, total=match.total, left=match.left)
        pair = pair_html(match.prompt, match.first.response, match.second.response, self.t)
        return self._shown(current, progress, pair, "", gr.skip(), True)

    def vote(self, current: dict[str, Any] | None, winner: str) -> tuple[Any, ...]:
        """Store the vote on the pair on screen, then show its names (the ratings follow,
        :meth:`ratings_for`)."""
        if not current:
            return (None, gr.skip(), gr.skip(), note_html(self.t["msg_arena_no_pair"].label),
                    gr.skip(), *(gr.update(interactive=False) for _ in WINNERS))
        try:
            self.bench.store.add_vote(current["first"], current["second"], winner, PERSON)
            cycles, votes = self._read(current["runs"])
        except SamanthaError as exc:
            return (current, gr.skip(), gr.skip(), note_html(f"⚠️ {exc}"), gr.skip(),
                    *(gr.skip() for _ in WINNERS))
        choice = self.t[dict((w, key) for key, w in WINNERS)[winner]].label
        pair = pair_html(current["prompt"], current["a_text"], current["b_text"], self.t,
                         (current["a"], current["b"]))
        return self._shown(None, self._status(cycles, votes), pair,
                           reveal_html(current["a"], current["b"], choice, self.t), gr.skip(),
                           False)
