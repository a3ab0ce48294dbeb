"""Learning mode's panel: the pace and Next token (in the Chat tab), then, for a token, what
each sampler stage kept, its candidates in rank order, their probabilities as bars, the
candidates after each stage, the answer coloured token by token (its candidates on hover), the
ranks of the tokens chosen although not the most likely and the entropy along the answer; with
the layer view on, what each layer would say and where the heads looked (a chosen layer
enlarged), the draws of the token (how many, with what seed) and the certainty along the
answer. The History tab's trace viewer shows stored traces in the same panel, without the pace
and the layer view's switch."""

from __future__ import annotations

import html
from typing import Any, Callable, Mapping, Sequence

import gradio as gr

from samantha.core.errors import SamanthaError
from samantha.core.trace import TokenStep
from samantha.core.whatif import WhatIf
from samantha.documents import inert
from samantha.documents.inside_views import certainty_svg, layer_grid_html
from samantha.documents.trace_html import (
    WORDS,
    coloured_answer,
    legend,
    stage_table,
    what_if_table,
)
from samantha.ui import views
from samantha.ui.learning.inside import DRAWS, SEED, InsideChoice, draws_view, heads_view
from samantha.ui.learning.whatif_note import one_left_note
from samantha.ui.words.table import Text

#: The narrowest a table or chart of the panel is drawn beside another: two fit side by side in
#: History's full width; in the Chat tab's column (630 px at 1366 px) each takes the whole width,
#: so the candidates keep their p column and the charts' text stays at its size (12 px).
SIDE_BY_SIDE = 440

#: The layer view's choices: the value "off" is the chain's "" (core.chain: learn_layers).
LAYER_VIEWS = ("off", "cheap", "full")


def layer_choices(t: Mapping[str, Text]) -> list[tuple[str, str]]:
    return [(t[f"layers_{value}"].label, value) for value in LAYER_VIEWS]


def layers_of(choice: Any) -> str:
    """The chain's ``learn_layers`` for the radio's value: "" (off), "cheap" or "full"."""
    return choice if choice in LAYER_VIEWS[1:] else ""


class LearningPanel:
    def __init__(self, t: Mapping[str, Text], prefix: str = "", lang: str = "en") -> None:
        self.t = t
        self.prefix = prefix  # element ids are unique per page: "" in Chat, "trace-" in History
        self.words = WORDS[lang]  # the stage table's and the coloured answer's
        self.lang = lang

    def build_pace(self) -> None:
        t = self.t
        with gr.Row(equal_height=False):
            self.pace = gr.Radio(views.pace_choices(t), value="OFF",
                                 label=t["learning_mode"].label, info=t["learning_mode"].help,
                                 elem_id="learning-pace", scale=5)
            self.next_token = gr.Button(t["next_token"].label, elem_id="next-token-button",
                                        scale=1, min_width=120)
        self.layers = gr.Radio(layer_choices(t), value="off", label=t["layer_view"].label,
                               info=t["layer_view"].help, elem_id="layer-view")

    def build(self, live: bool = False) -> None:
        """``live``: with the element the page script fills while an answer streams at full
        speed (the token's line and candidates, see :mod:`samantha.ui.serving.live`)."""
        t, p = self.t, self.prefix
        if live:  # its value never changes: the page script owns what is inside
            gr.HTML('<div class="live-learning"></div>', elem_id="live-learning", padding=False)
        self.stages = gr.Markdown(elem_id=f"{p}stages", latex_delimiters=[])
        with gr.Row(equal_height=False):
            with gr.Column(min_width=SIDE_BY_SIDE):
                self.candidates = gr.HTML(label=t["candidates"].label,
                                          elem_id=f"{p}candidates", max_height=360)
            with gr.Column(min_width=SIDE_BY_SIDE):
                self.probabilities = gr.HTML(elem_id=f"{p}probabilities")
        self.stage_table = gr.HTML(elem_id=f"{p}stage-table", max_height=420)
        self.layer_grid = gr.HTML(elem_id=f"{p}layer-grid", max_height=480)
        self._build_choices()
        with gr.Row(equal_height=False):
            with gr.Column(min_width=SIDE_BY_SIDE):
                self.attention = gr.HTML(elem_id=f"{p}attention", max_height=720)
            with gr.Column(min_width=SIDE_BY_SIDE):
                self.draws = gr.HTML(elem_id=f"{p}draws")
        self.what_if = gr.Textbox(label=t["what_if"].label, info=t["what_if"].help,
                                  placeholder=t["what_if_example"].label,
                                  elem_id=f"{p}what-if")
        self.what_if_table = gr.HTML(elem_id=f"{p}what-if-table", max_height=420)
        self.answer_tokens = gr.HTML(elem_id=f"{p}answer-tokens")
        with gr.Row(equal_height=False):
            with gr.Column(min_width=SIDE_BY_SIDE):
                self.ranks = gr.HTML(elem_id=f"{p}ranks")
            with gr.Column(min_width=SIDE_BY_SIDE):
                self.entropy = gr.HTML(elem_id=f"{p}entropy")
        self.certainty = gr.HTML(elem_id=f"{p}certainty")
        self.unlikely = gr.Textbox(label=t["unlikely"].label, info=t["unlikely"].help or None,
                                   lines=1, max_lines=3, interactive=False,
                                   elem_id=f"{p}unlikely")

    def _build_choices(self) -> None:
        """The layer enlarged under the heat-map, and the draws' count and seed (bounded where
        they are drawn, see :mod:`samantha.ui.learning.inside`)."""
        t, p = self.t, self.prefix
        with gr.Row(equal_height=True):
            self.head_layer = gr.Number(None, label=t["inside_layer"].label,
                                        info=t["inside_layer"].help, precision=0,
                                        elem_id=f"{p}head-layer", min_width=140)
            self.draw_count = gr.Number(DRAWS, label=t["inside_draws"].label,
                                        info=t["inside_draws"].help, precision=0,
                                        elem_id=f"{p}draw-count", min_width=140)
            self.draw_seed = gr.Number(SEED, label=t["inside_seed"].label,
                                       info=t["inside_seed"].help, precision=0,
                                       elem_id=f"{p}draw-seed", min_width=140)

    @property
    def choices(self) -> list[Any]:
        """The controls, in :class:`InsideChoice`'s order: layer, draws, seed."""
        return [self.head_layer, self.draw_count, self.draw_seed]

    def on_choice(self, handler: Callable[..., dict], inputs: Sequence[Any]) -> None:
        """Each control, changed, calls ``handler(*inputs, layer, draws, seed)`` for the views
        of the step in view (:meth:`redraw`): nothing is generated again."""
        for control in self.choices:
            control.change(handler, inputs=[*inputs, *self.choices],
                           outputs=[self.attention, self.draws], queue=False,
                           show_progress="hidden", trigger_mode="always_last")

    def keep_in(self, state: Any) -> None:
        """In the Chat tab: a control changed is kept in the tab's session (``UiSession.inside``,
        which the views drawn while an answer streams use) and redraws its last token's."""
        self.on_choice(self._session_redraw, [state])

    def _session_redraw(self, session: Any, layer: Any, draws: Any, seed: Any) -> dict:
        session.inside = InsideChoice(layer, draws, seed)
        return self.redraw(session.steps[-1] if session.steps else None, session.inside)

    def redraw(self, step: TokenStep | None, choice: InsideChoice) -> dict:
        """The heat-map and the draws of ``step`` with ``choice``."""
        return {self.attention: heads_view(step, choice, self.words, self.t),
                self.draws: draws_view(step, choice, self.words, self.t, self.lang)}

    @property
    def outputs(self) -> list[Any]:
        return [self.stages, self.candidates, self.probabilities, self.stage_table,
                self.answer_tokens, self.ranks, self.entropy, self.unlikely, self.layer_grid,
                self.attention, self.draws, self.certainty]

    def live_view(self, steps: Sequence[TokenStep]) -> str:
        """What the page script shows of the last token while the answer streams."""
        return views.live_panel(steps[-1] if steps else None, self.t)

    def other_chain(self, step: TokenStep | None, asked: str,
                    compute: Callable[[TokenStep, str], tuple[WhatIf, Mapping[int, str]]]
                    ) -> str:
        """The what-if table for ``step``: ``compute(step, asked)`` gives the other chain's
        result (and the texts of tokens it shows beyond the step's)."""
        if step is None or not (asked or "").strip():
            return ""
        try:
            other, pieces = compute(step, asked)
        except SamanthaError as exc:
            return f"<p>⚠️ {html.escape(str(exc))}</p>"
        return one_left_note(other, self.t) + what_if_table(step, other, asked, self.words,
                                                            pieces)

    def view(self, steps: Sequence[TokenStep], focus: TokenStep | None = None,
             choice: InsideChoice | None = None) -> dict:
        """What the panel shows for these steps: ``focus`` (default the last one) in the tables
        and the bars; the answer so far coloured and in the two charts along it; ``choice``
        the inside views' (default: the last layer enlarged, 100 draws, seed 0). (At full
        speed this is drawn at the end of each answer only; meanwhile the live stream shows
        the token's line and candidates.)"""
        t = self.t
        step = focus or (steps[-1] if steps else None)
        answer = legend(self.words) + coloured_answer(steps, self.words) if steps else ""
        return {self.stages: views.stage_text(step, t),
                self.candidates: views.candidate_table(step, t),
                self.stage_table: stage_table(step, self.words),
                self.probabilities: views.probability_chart(step, t),
                self.answer_tokens: answer,
                self.ranks: views.rank_chart(steps, t),
                self.entropy: views.entropy_chart(steps, t),
                self.unlikely: views.unlikely_text(steps),
                **self.inside(steps, step, choice or InsideChoice())}

    def inside(self, steps: Sequence[TokenStep], step: TokenStep | None,
               choice: InsideChoice) -> dict:
        """The layer grid and the heads of ``step`` (the chosen layer enlarged), the draws of
        its final distribution, and the certainty along ``steps``."""
        words = self.words
        return {self.layer_grid: inert.clean(layer_grid_html(step, words)),
                **self.redraw(step, choice),
                self.certainty: inert.clean(certainty_svg(steps, words))}
