"""Files and examples: TXT import and export of the fields, a PDF as prompts (page by page or
whole), and the example prompt collections."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Mapping

import gradio as gr

from samantha.core.errors import SamanthaError
from samantha.documents.pdf import pages_script, read_pages, whole_script
from samantha.ui.chat.prompt_collections import (
    Example,
    collection,
    label,
    needs_feedback,
)
from samantha.ui.words.table import Text

if TYPE_CHECKING:
    from samantha.workbench.facade import Workbench


def upload_path(file: Any) -> Path:
    return Path(file if isinstance(file, str) else file.name)


def read_upload(file: Any) -> str:
    return upload_path(file).read_text(encoding="utf-8", errors="replace")


def picked(examples: list[Example], index: int | None, single: bool) -> tuple[Any, ...]:
    """What picking a user example changes: its text in the USER field; Feedback loop on for
    a chain that works on the previous response (else as it was); its models in the model
    list (else as they were); with ``single``, Single response per model as it says."""
    if index is None:
        return (gr.skip(),) * (4 if single else 3)
    chosen = examples[index]
    changes = (chosen.text, True if needs_feedback(chosen.text) else gr.skip(),
               models_text(chosen))
    return (*changes, chosen.single) if single else changes


def models_text(example: Example) -> Any:
    """The model list an example is made for (one per line), or no change."""
    return "\n".join(example.models) if example.models else gr.skip()


class FilesPanel:
    def __init__(self, bench: Workbench, t: Mapping[str, Text], publish: Callable[[Any], str],
                 lang: str = "en") -> None:
        self.bench = bench
        self.t = t
        self.publish = publish
        self.lang = lang  # the examples are the page language's

    def build(self, system: gr.Textbox, previous: gr.Textbox, prompts: gr.Textbox,
              models: gr.Textbox, error: gr.Markdown, feedback: gr.Checkbox,
              single: gr.Checkbox | None = None) -> None:
        t = self.t
        with gr.Accordion(t["files_examples"].label, open=False, elem_id="files-panel"):
            with gr.Row():
                users = collection(self.bench.home, "user_prompts.txt", self.lang)
                systems = collection(self.bench.home, "system_prompts.txt", self.lang)
                user_pick = gr.Dropdown([(label(e), i) for i, e in enumerate(users)],
                                        label=t["examples_user"].label,
                                        info=t["examples_user"].help, value=None,
                                        elem_id="examples-user")
                system_pick = gr.Dropdown([(label(e), i) for i, e in enumerate(systems)],
                                          label=t["examples_system"].label,
                                          info=t["examples_system"].help, value=None,
                                          elem_id="examples-system")
            with gr.Row():
                for key, field in (("import_system", system), ("import_previous", previous),
                                   ("import_prompts", prompts), ("import_models", models)):
                    button = gr.UploadButton(t[key].label, file_types=[".txt"], size="sm")
                    button.upload(read_upload, inputs=button, outputs=field)
                save = gr.Button(t["save_prompts"].label, size="sm")
            with gr.Row():
                pages = gr.UploadButton(t["import_pdf_pages"].label, file_types=[".pdf"],
                                        size="sm", elem_id="import-pdf-pages")
                whole = gr.UploadButton(t["import_pdf_whole"].label, file_types=[".pdf"],
                                        size="sm", elem_id="import-pdf-whole")
            with gr.Accordion(t["pdf_instruction"].label, open=False):
                instruction = gr.Textbox(t["pdf_instruction_text"].label, lines=2,
                                         label=t["pdf_instruction"].label,
                                         info=t["pdf_instruction"].help,
                                         elem_id="pdf-instruction")
                final = gr.Textbox(t["pdf_final_text"].label, lines=2,
                                   label=t["pdf_final"].label, info=t["pdf_final"].help)
            saved = gr.File(label=t["save_prompts"].label, visible=False, interactive=False)
        for button, handler in ((pages, self.pdf_pages), (whole, self.pdf_whole)):
            button.upload(handler, inputs=[button, instruction, final], outputs=[prompts, error])
        save.click(self.save_prompts, inputs=prompts, outputs=saved)
        switch = [single] if single is not None else []
        user_pick.input(lambda i: picked(users, i, single is not None),
                        inputs=user_pick, outputs=[prompts, feedback, models, *switch])
        system_pick.input(lambda i: (systems[i].text, models_text(systems[i]))
                          if i is not None else (gr.skip(), gr.skip()),
                          inputs=system_pick, outputs=[system, models])

    def pdf_pages(self, file: Any, instruction: str, final: str) -> list[Any]:
        return self._pdf(file, lambda pages: pages_script(pages, instruction, final))

    def pdf_whole(self, file: Any, instruction: str, final: str) -> list[Any]:
        return self._pdf(file, lambda pages: whole_script(pages, instruction))

    def _pdf(self, file: Any, script: Any) -> list[Any]:
        """The PDF as a prompt script in the USER field, or a clear message (field untouched)."""
        try:
            pages = read_pages(upload_path(file))
        except SamanthaError as exc:
            return [gr.skip(), f"⚠️ {exc}"]
        return [script(pages), ""]

    def save_prompts(self, text: str) -> Any:
        folder = self.bench.home / "exports"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"prompts-{time.strftime('%Y%m%d-%H%M%S')}.txt"
        path.write_text(text, encoding="utf-8")
        return gr.update(value=self.publish(path), visible=True)
