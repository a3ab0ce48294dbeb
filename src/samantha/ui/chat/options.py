"""Chain options: the switches of a run (feedback's variants, single response, shuffle, random
parameters, code, fast mode, the loop guard, remote backends) and the numbers of loops,
responses and cycles at once."""

from __future__ import annotations

from typing import Any, Mapping

import gradio as gr

from samantha.core.chain import CHAIN_SWITCHES, switch_defaults
from samantha.ui import views
from samantha.ui.words.table import Text

#: The page's own switches: the chain's (core.chain.CHAIN_SWITCHES; Feedback loop sits beside
#: the previous response, in the Chat tab) and two of the page (fast mode, hide the HTML)
PAGE_SWITCHES = ("fast_mode", "hide_html")
SWITCHES = (*(s.ui_key for s in CHAIN_SWITCHES if s.name != "feedback"), *PAGE_SWITCHES)


def checkbox(t: Mapping[str, Text], key: str, value: bool = False, **kwargs: Any) -> gr.Checkbox:
    return gr.Checkbox(value=value, label=t[key].label, info=t[key].help or None,
                       elem_id=f"opt-{key}", **kwargs)


class ChainOptions:
    def __init__(self, t: Mapping[str, Text]) -> None:
        self.t = t

    def build(self) -> None:
        t = self.t
        with gr.Accordion(t["chain_options"].label, open=False, elem_id="chain-options"):
            self.switches = {}
            on = {s.ui_key for s in CHAIN_SWITCHES if switch_defaults()[s.name]}
            for pair in range(0, len(SWITCHES), 2):
                with gr.Row():
                    self.switches.update({key: checkbox(t, key, key in on)
                                          for key in SWITCHES[pair: pair + 2]})
            with gr.Row():
                self.loops = gr.Radio(views.LOOP_CHOICES, value=1, label=t["loops"].label,
                                      info=t["loops"].help, elem_id="loops")
                self.responses = gr.Radio(views.LOOP_CHOICES, value=1,
                                          label=t["responses"].label, info=t["responses"].help,
                                          elem_id="responses")
            with gr.Row():
                self.concurrency = gr.Slider(1, 256, value=1, step=1,
                                             label=t["concurrency"].label,
                                             info=t["concurrency"].help, elem_id="concurrency")
                self.parallel = gr.Slider(1, 8, value=1, step=1, label=t["parallel"].label,
                                          info=t["parallel"].help, elem_id="parallel")

    @property
    def inputs(self) -> list[Any]:
        return [*self.switches.values(), self.loops, self.responses, self.concurrency,
                self.parallel]

    def values(self, data: dict) -> dict[str, Any]:
        return {key: data[box] for key, box in self.switches.items()}
