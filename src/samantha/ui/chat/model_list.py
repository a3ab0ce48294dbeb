"""The models panel of the Chat tab: the Model list (the models of the next run, in order), the
local models to add to it, Unload model, the vocabulary by id range and the model's metadata."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Mapping

import gradio as gr

from samantha.core.errors import SamanthaError
from samantha.core.trace import display_piece, visible
from samantha.ui import views
from samantha.ui.words.table import Text

if TYPE_CHECKING:
    from samantha.workbench.facade import Workbench


def model_choices(bench: Workbench) -> list[str]:
    """The bundled models (``default``, ``smollm2``), the local models (each once), then
    MODEL@NAME for each model of each remote backend that answers now (one that does not is
    offered as @NAME)."""
    try:
        local = bench.library.names()
    except SamanthaError:
        local = ["default"]
    return local + remote_choices(bench)


def remote_choices(bench: Workbench) -> list[str]:
    try:
        names = list(bench.remotes.specs())
    except SamanthaError:
        return []
    found = []
    for name in names:
        try:
            found += [f"{model}@{name}" for model in bench.remotes.models(name)]
        except SamanthaError:
            found.append(f"@{name}")
    return found


class ModelsPanel:
    def __init__(self, bench: Workbench, t: Mapping[str, Text]) -> None:
        self.bench = bench
        self.t = t

    def build(self) -> None:
        t = self.t
        with gr.Accordion(t["models_tab"].label, open=False, elem_id="models-panel") as panel:
            self.models = gr.Textbox(label=t["models"].label, info=t["models"].help, lines=2,
                                     value="default", elem_id="models")
            with gr.Row(equal_height=True):
                self.pick = gr.Dropdown(label=t["add_model"].label, info=t["add_model"].help,
                                        choices=model_choices(self.bench), value="default",
                                        allow_custom_value=True, scale=4)
                self.add = gr.Button(t["add_model_button"].label, size="sm", scale=1)
                self.unload = gr.Button(t["unload_model"].label, size="sm", scale=1)
            with gr.Accordion(t["vocabulary"].label, open=False):
                with gr.Row():
                    start = gr.Number(0, label=t["vocab_from"].label, precision=0)
                    stop = gr.Number(100, label=t["vocab_to"].label, precision=0)
                    show = gr.Button(t["vocab_show"].label)
                vocab = gr.Textbox(lines=8, max_lines=16, show_label=False, interactive=False,
                                   elem_id="vocabulary")
                info = gr.Button(t["metadata"].label)
                meta = gr.Code(language="json", interactive=False, elem_id="metadata")
        # the choices of this page load, not of the server's start: made when the panel opens
        panel.expand(lambda: gr.update(choices=model_choices(self.bench)), outputs=self.pick,
                     show_progress="hidden")
        show.click(self.vocabulary, inputs=[self.models, start, stop], outputs=vocab)
        info.click(self.metadata, inputs=self.models, outputs=meta)
        self.add.click(lambda pick, text: "\n".join([*views.model_lines(text), pick])
                       if pick else text, inputs=[self.pick, self.models], outputs=self.models)
        self.unload.click(self.bench.unload, outputs=None)

    @staticmethod
    def first(models: str) -> str:
        return (views.model_lines(models) or ["default"])[0]

    def vocabulary(self, models: str, start: Any, stop: Any) -> str:
        try:
            entries = self.bench.vocabulary(self.first(models), int(start or 0), int(stop or 0))
        except SamanthaError as exc:
            return f"⚠️ {exc}"
        return "\n".join(f"{i:>8}  '{visible(display_piece(raw))}'" for i, raw in entries)

    def metadata(self, models: str) -> str:
        try:
            return json.dumps(self.bench.model_info(self.first(models)), indent=2)
        except SamanthaError as exc:
            return json.dumps({"error": str(exc)})
