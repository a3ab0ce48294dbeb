"""The sampling panel: the two presets, the chain's order, the seed, a slider per setting and
the stop strings, and a section with the newer stages (DRY, XTC, top-n-sigma, dynamic
temperature, mirostat), the order of the chain, a logit bias and a grammar. Every range and
help text comes from :data:`samantha.core.settings.PARAMETERS`
and the texts table."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping

import gradio as gr

from samantha.core.errors import SamanthaError
from samantha.core.setting_lists import DEFAULT_ORDER, STAGES
from samantha.core.settings import DETERMINISTIC, PARAMETERS, STOCHASTIC, Settings
from samantha.ui import views
from samantha.ui.words.table import Text

if TYPE_CHECKING:
    from samantha.workbench.facade import Workbench

SLIDERS = {  # name: (minimum, maximum, step), the predecessor's ranges where it had them
    "n_ctx": (0, 131072, 64), "max_tokens": (0, 131072, 1), "temperature": (0, 5, 0.05),
    "tfs_z": (0, 5, 0.05), "top_p": (0, 1, 0.01), "min_p": (0, 1, 0.01),
    "typical_p": (0, 1, 0.01), "top_k": (0, 1000, 1), "presence_penalty": (-2, 2, 0.05),
    "frequency_penalty": (-2, 2, 0.05), "repeat_penalty": (0.1, 2, 0.05),
    "penalty_last_n": (0, 4096, 1),
}


MORE = {  # the stages beyond the predecessor's, in their own section
    "dry_multiplier": (0, 5, 0.05), "dry_base": (1, 4, 0.05), "dry_allowed_length": (0, 64, 1),
    "dry_penalty_last_n": (-1, 4096, 1), "top_n_sigma": (0, 10, 0.1),
    "xtc_probability": (0, 1, 0.01), "xtc_threshold": (0, 1, 0.01),
    "dynatemp_range": (0, 5, 0.05), "dynatemp_exponent": (0, 10, 0.1), "mirostat": (0, 2, 1),
    "mirostat_tau": (0, 20, 0.1), "mirostat_eta": (0, 1, 0.01), "min_keep": (0, 100, 1),
}


class SamplingPanel:
    def __init__(self, bench: Workbench, t: Mapping[str, Text]) -> None:
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
            with gr.Accordion(t["more_samplers"].label, open=False, elem_id="more-samplers"):
                gr.Markdown(t["more_samplers"].help)
                order = gr.Dropdown(list(STAGES), value=list(DEFAULT_ORDER), multiselect=True,
                                    label=t["samplers"].label, info=t["samplers"].help,
                                    elem_id="samplers")
                self.default_order = gr.Button(t["default_order"].label, size="sm",
                                               elem_id="default-order")
                self.texts = {
                    "samplers": order,
                    "logit_bias": gr.Textbox("", label=t["logit_bias"].label,
                                             info=t["logit_bias"].help, elem_id="logit-bias"),
                    "grammar": gr.Textbox("", lines=2, label=t["grammar"].label,
                                          info=t["grammar"].help, elem_id="grammar"),
                    "json_schema": gr.Textbox("", lines=2, label=t["json_schema"].label,
                                              info=t["json_schema"].help,
                                              elem_id="json-schema"),
                }
                self.more = {name: gr.Slider(
                    low, high, value=getattr(DETERMINISTIC, name), step=step,
                    label=t[name].label, info=t[name].help or PARAMETERS[name].help,
                    elem_id=f"slider-{name}") for name, (low, high, step) in MORE.items()}

    def wire(self) -> None:
        outputs = [*self.sliders.values(), self.chain_order]
        self.deterministic.click(lambda: self.preset(DETERMINISTIC), outputs=outputs)
        self.stochastic.click(lambda: self.preset(STOCHASTIC), outputs=outputs)
        self.default_order.click(lambda: list(DEFAULT_ORDER), outputs=self.texts["samplers"],
                                 queue=False, show_progress="hidden")
        shaping = [*self.sliders.values(), self.more["mirostat"], self.texts["samplers"]]
        for box in shaping:
            # gradio declares .change on each component class, not on their common base
            box.change(self.order_from, inputs=set(shaping),  # type: ignore[attr-defined]  # see above
                       outputs=self.chain_order, queue=False, show_progress="hidden")

    @property
    def inputs(self) -> list[Any]:
        return [*self.sliders.values(), self.stop, self.seed, *self.more.values(),
                *self.texts.values()]

    def settings(self, data: dict) -> Settings:
        """The panel's values as settings (raises SettingsError with a message)."""
        more = {name: data[box] for name, box in (*self.more.items(), *self.texts.items())
                if data[box] is not None}  # a panel never opened sends nothing: defaults
        return views.settings_from_values(
            {name: data[slider] for name, slider in self.sliders.items()} | more,
            data[self.stop], data[self.seed])

    def order_text(self, settings: Settings) -> str:
        return f"{self.t['chain_order'].label}: `{self.bench.chain_order(settings)}`"

    def preset(self, preset: Settings) -> list[Any]:
        return [getattr(preset, name) for name in self.sliders] + [self.order_text(preset)]

    def order_from(self, values: dict) -> str:
        try:
            named = {**self.sliders, "mirostat": self.more["mirostat"],
                     "samplers": self.texts["samplers"]}
            settings = DETERMINISTIC.replace(**{n: values[c] for n, c in named.items()
                                                if values.get(c) is not None})
        except SamanthaError as exc:
            return f"⚠️ {exc}"
        return self.order_text(settings)
