"""The Models tab: folders, the models in them, downloads with progress, link extraction, and
the remote backends."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterator, Mapping

import gradio as gr

from samantha.core.errors import SamanthaError
from samantha.models.links import extract_links
from samantha.ui import views
from samantha.ui.chat.model_list import model_choices
from samantha.ui.models.backends import BackendsSection
from samantha.ui.models.catalogue import CatalogueSection, download_messages
from samantha.ui.words.table import Text

if TYPE_CHECKING:
    from samantha.workbench.facade import Workbench


class ModelsTab:
    def __init__(self, bench: Workbench, t: Mapping[str, Text], lang: str = "en") -> None:
        self.bench = bench
        self.t = t
        self.lang = lang

    def build(self, chat_models: gr.Textbox, model_pick: gr.Dropdown) -> None:
        t = self.t
        got = CatalogueSection(self.bench, t, self.lang).build()  # first: a newcomer's way in
        # callables: computed again at every page load (a folder added since then is listed)
        self.folders = gr.Markdown(self.folder_text, elem_id="model-folders")
        with gr.Row():
            self.new_folder = gr.Textbox(label=t["add_folder"].label, info=t["add_folder"].help,
                                         scale=4)
            self.add = gr.Button(t["add_folder_button"].label, scale=1)
        self.table = gr.Dataframe(headers=t["model_headers"].label.split("|"),
                                  value=self.rows, label=t["model_list"].label,
                                  interactive=False, max_height=320, elem_id="model-table")
        self.refresh = gr.Button(t["refresh_models"].label, size="sm")
        with gr.Row():
            self.url = gr.Textbox(label=t["download_url"].label, info=t["download_url"].help,
                                  scale=4, elem_id="download-url")
            self.keep = gr.Checkbox(label=t["keep"].label, info=t["keep"].help, scale=1)
        self.download = gr.Button(t["download"].label, variant="primary")
        self.status = gr.Markdown(elem_id="download-status")
        self.text = gr.Textbox(label=t["links_text"].label, info=t["links_text"].help, lines=4)
        self.extract = gr.Button(t["extract_links"].label)
        self.found = gr.Markdown()

        choices = lambda: gr.update(choices=model_choices(self.bench))  # noqa: E731
        got.then(self.rows, outputs=self.table).then(choices, outputs=model_pick)
        BackendsSection(self.bench, t).build(model_pick, choices)
        self.add.click(self.add_folder, inputs=self.new_folder,
                       outputs=[self.folders, self.table]).then(choices, outputs=model_pick)
        self.refresh.click(self.rows, outputs=self.table).then(choices, outputs=model_pick)
        self.download.click(self.fetch, inputs=[self.url, self.keep], outputs=self.status,
                            concurrency_limit=None).then(self.rows, outputs=self.table).then(
            choices, outputs=model_pick)
        self.extract.click(self.links, inputs=[self.text, chat_models],
                           outputs=[self.found, chat_models])

    def folder_text(self) -> str:
        notes = self.bench.library.folder_notes()  # gone or unreadable: said, not fatal
        return self.t["folders"].label + ": " + ", ".join(
            f"`{f}` (⚠️ {notes[f]})" if f in notes else f"`{f}`"
            for f in self.bench.model_folders())

    def rows(self) -> list[list[Any]]:
        return [[e.name, round(e.size / 2**30, 2), e.architecture, e.quantization,
                 round((e.parameters or 0) / 1e9, 2), e.context_length,
                 e.error or str(e.path).rsplit("/", 1)[0]] for e in self.bench.library.list()]

    def add_folder(self, folder: str) -> tuple[str, Any]:
        try:
            self.bench.add_model_folder(folder)
        except SamanthaError as exc:
            return f"⚠️ {exc}", gr.skip()
        return self.folder_text(), self.rows()

    def fetch(self, url: str, keep: bool) -> Iterator[str]:
        if not url.strip():
            return
        yield from download_messages(
            lambda progress: self.bench.library.download(
                url.strip(), mode="keep" if keep else "test", progress=progress),
            lambda path: self.t["msg_download_done"].label.format(path))

    def links(self, text: str, current: str) -> tuple[str, str]:
        found = extract_links(text or "")
        if not found:
            return "—", current
        lines = views.model_lines(current)
        merged = "\n".join([*lines, *(u for u in found if u not in lines)])
        return "\n".join(f"- `{u}`" for u in found), merged

