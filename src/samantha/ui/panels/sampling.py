"""The sampling panel: the two presets, the chain's order, the seed, a slider per setting and
the stop strings. Every range and help text comes from :data:`samantha.core.settings.PARAMETERS`
and the texts table."""

from __future__ import annotations

from typing import Any, Mapping

import gradio as gr

from samantha.core.errors import SamanthaError
from samantha.core.settings import DETERMINISTIC, PARAMETERS, STOCHASTIC, Settings
from samantha.ui import views
from samantha.ui.texts import Text

SLIDERS = {  # name: (minimum, maximum, step), the predecessor's ranges where it had them
    "n_ctx": (0, 131072, 64), "max_tokens": (0, 131072, 1), "temperature": (0, 5, 0.05),
    "tfs_z": (0, 5, 0.05), "top_p": (0, 1, 0.01), "min_p": (0, 1, 0.01),
    "typical_p": (0, 1, 0.01), "top_k": (0, 1000, 1), "presence_penalty": (-2, 2, 0.05),
    "frequency_penalty": (-2, 2, 0.05), "repeat_penalty": (0.1, 2, 0.05),
    "penalty_last_n": (0, 4096, 1),
}


class SamplingPanel:
    def __init__(self, bench: Any, t: Mapping[str, Text]) -> None:
        self.bench = bench
        self.t = t

    def build(self) -> None:
        t = self.t
        with gr.Accordion(t["sampling"].label, open=False, elem_id="sampling"):
            with gr.Row(equal_height=False):
                self.deterministic = gr.Button(t["deterministic"].label, size="sm",
                                               elem_id="preset-deterministic")
                self.stochastic = gr.Button(t["stochastic"].label, size="sm",
                                            elem_id="preset-stochastic")
                # a text box: a number box shows (and sends) 0 once mounted, not "random"
                self.seed = gr.Textbox("", label=t["seed"].label, info=t["seed"].help,
                                       placeholder=t["seed_random"].label, elem_id="seed")
            self.chain_order = gr.Markdown(self.order_text(DETERMINISTIC))
            self.sliders = {}
            for name, (low, high, step) in SLIDERS.items():
                self.sliders[name] = gr.Slider(
                    low, high, value=getattr(DETERMINISTIC, name), step=step,
                    label=t[name].label, info=t[name].help or PARAMETERS[name].help,
                    elem_id=f"slider-{name}")
            self.stop = gr.Textbox(label=t["stop"].label, info=t["stop"].help or None,
                                   value="[]", elem_id="stop-strings")

    def wire(self) -> None:
        outputs = [*self.sliders.values(), self.chain_order]
        self.deterministic.click(lambda: self.preset(DETERMINISTIC), outputs=outputs)
        self.stochastic.click(lambda: self.preset(STOCHASTIC), outputs=outputs)
        for slider in self.sliders.values():
            slider.change(self.order_from, inputs=set(self.sliders.values()),
                          outputs=self.chain_order, queue=False, show_progress="hidden")

    @property
    def inputs(self) -> list[Any]:
        return [*self.sliders.values(), self.stop, self.seed]

    def settings(self, data: dict) -> Settings:
        """The panel's values as settings (raises SettingsError with a message)."""
        return views.settings_from_values(
            {name: data[slider] for name, slider in self.sliders.items()}, data[self.stop],
            data[self.seed])

    def order_text(self, settings: Settings) -> str:
        return f"{self.t['chain_order'].label}: `{self.bench.chain_order(settings)}`"

    def preset(self, preset: Settings) -> list[Any]:
        return [getattr(preset, name) for name in self.sliders] + [self.order_text(preset)]

    def order_from(self, values: dict) -> str:
        try:
            settings = DETERMINISTIC.replace(**{n: values[c] for n, c in self.sliders.items()})
        except SamanthaError as exc:
            return f"⚠️ {exc}"
        return self.order_text(settings)
