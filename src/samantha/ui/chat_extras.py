"""The Chat tab's helpers around the fields: TXT import and export, prompt collections, the
vocabulary by id range and the model's metadata."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any, Mapping

import gradio as gr

from samantha.core.errors import SamanthaError
from samantha.core.trace import display_piece, printable
from samantha.ui import views
from samantha.ui.collections import collection, title
from samantha.ui.texts import Text


def read_upload(file: Any) -> str:
    path = Path(file if isinstance(file, str) else file.name)
    return path.read_text(encoding="utf-8", errors="replace")


class ChatExtras:
    def __init__(self, bench: Any, t: Mapping[str, Text]) -> None:
        self.bench = bench
        self.t = t

    def build_files(self, system: gr.Textbox, previous: gr.Textbox, prompts: gr.Textbox,
                    models: gr.Textbox) -> None:
        t = self.t
        with gr.Row():
            for key, field in (("import_system", system), ("import_previous", previous),
                               ("import_prompts", prompts), ("import_models", models)):
                button = gr.UploadButton(t[key].label, file_types=[".txt"], size="sm")
                button.upload(read_upload, inputs=button, outputs=field)
            save = gr.Button(t["save_prompts"].label, size="sm")
        saved = gr.File(label=t["save_prompts"].label, visible=False, interactive=False)
        save.click(self.save_prompts, inputs=prompts, outputs=saved)
        with gr.Row():
            users = collection(self.bench.home, "user_prompts.txt")
            systems = collection(self.bench.home, "system_prompts.txt")
            user_pick = gr.Dropdown([(title(e), i) for i, e in enumerate(users)],
                                    label=t["examples_user"].label,
                                    info=t["examples_user"].help, value=None)
            system_pick = gr.Dropdown([(title(e), i) for i, e in enumerate(systems)],
                                      label=t["examples_system"].label,
                                      info=t["examples_system"].help, value=None)
        user_pick.input(lambda i: users[i] if i is not None else gr.skip(), inputs=user_pick,
                        outputs=prompts)
        system_pick.input(lambda i: systems[i] if i is not None else gr.skip(),
                          inputs=system_pick, outputs=system)

    def save_prompts(self, text: str) -> Any:
        folder = self.bench.home / "exports"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"prompts-{time.strftime('%Y%m%d-%H%M%S')}.txt"
        path.write_text(text, encoding="utf-8")
        return gr.update(value=str(path), visible=True)

    def build_model_panels(self, models: gr.Textbox) -> None:
        t = self.t
        with gr.Accordion(t["vocabulary"].label, open=False):
            with gr.Row():
                start = gr.Number(0, label=t["vocab_from"].label, precision=0)
                stop = gr.Number(100, label=t["vocab_to"].label, precision=0)
                show = gr.Button(t["vocab_show"].label)
            vocab = gr.Textbox(lines=8, max_lines=16, show_label=False, interactive=False,
                               elem_id="vocabulary")
            info = gr.Button(t["metadata"].label)
            meta = gr.Code(language="json", interactive=False, elem_id="metadata")
        show.click(self.vocabulary, inputs=[models, start, stop], outputs=vocab)
        info.click(self.metadata, inputs=models, outputs=meta)

    @staticmethod
    def _first_model(models: str) -> str:
        return (views.model_lines(models) or ["default"])[0]

    def vocabulary(self, models: str, start: Any, stop: Any) -> str:
        try:
            entries = self.bench.vocabulary(self._first_model(models), int(start or 0),
                                            int(stop or 0))
        except SamanthaError as exc:
            return f"⚠️ {exc}"
        return "\n".join(f"{i:>8}  '{printable(display_piece(raw))}'" for i, raw in entries)

    def metadata(self, models: str) -> str:
        try:
            return json.dumps(self.bench.model_info(self._first_model(models)), indent=2)
        except SamanthaError as exc:
            return json.dumps({"error": str(exc)})
