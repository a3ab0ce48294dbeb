"""The Models tab's catalogue: well-known chat models with the memory each needs and whether it
fits this computer, and their download (progress, resume, verification) by name."""

from __future__ import annotations

import queue
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator, Mapping

import gradio as gr

from samantha.core.errors import SamanthaError
from samantha.models.known import (
    DEFAULT_CONTEXT,
    KnownModel,
    Memory,
    catalogue,
    download_known,
    downloaded_path,
    fit,
    gigabytes,
    memory_needed,
    this_computer,
)
from samantha.ui.words.table import Text

if TYPE_CHECKING:
    from samantha.workbench.facade import Workbench

Progress = Callable[[int, int | None], None]


def download_messages(work: Callable[[Progress], Path],
                      done: Callable[[Path], str]) -> Iterator[str]:
    """Run ``work(progress)`` on a thread and yield its progress as lines of text, then
    ``done(path)`` or the error (one line, no traceback)."""
    updates: queue.Queue = queue.Queue()
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["path"] = work(lambda done, total: updates.put((done, total)))
        except SamanthaError as exc:
            outcome["error"] = exc

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    while worker.is_alive():
        try:
            got, total = updates.get(timeout=0.3)
        except queue.Empty:
            continue
        while not updates.empty():
            got, total = updates.get()
        share = f"{got * 100 // total}% · " if total else ""
        yield f"⏬ {share}{got / 2**20:,.0f} / {(total or 0) / 2**20:,.0f} MiB"
    worker.join()
    yield f"⚠️ {outcome['error']}" if "error" in outcome else "✅ " + done(outcome["path"])


class CatalogueSection:
    def __init__(self, bench: Workbench, t: Mapping[str, Text], lang: str = "en") -> None:
        self.bench = bench
        self.t = t
        self.lang = lang

    def build(self) -> Any:
        """The section; returns the download's event, for the tab to refresh its lists after."""
        t = self.t
        gr.Markdown(f"### {t['catalogue'].label}\n{t['catalogue'].help}",
                    elem_id="catalogue-intro")
        # callables: computed again at every page load (memory and downloads change)
        self.memory = gr.Markdown(self.memory_text, elem_id="catalogue-memory")
        self.table = gr.Dataframe(headers=t["catalogue_headers"].label.split("|"),
                                  value=self.rows, interactive=False, max_height=360, wrap=True,
                                  column_widths=["11%", "18%", "7%", "8%", "14%", "13%", "20%",
                                                 "9%"],  # the whole row in sight at 1366 px
                                  elem_id="catalogue-table")
        with gr.Row(equal_height=True):
            self.pick = gr.Dropdown(choices=self.names(), value=None, scale=3,
                                    label=t["catalogue_pick"].label, info=t["catalogue_pick"].help,
                                    elem_id="catalogue-pick")
            self.get = gr.Button(t["catalogue_get"].label, variant="primary", scale=1,
                                 elem_id="catalogue-get")
        self.status = gr.Markdown(elem_id="catalogue-status")
        self.table.select(self.picked, outputs=self.pick)
        return self.get.click(self.fetch, inputs=self.pick, outputs=self.status,
                              concurrency_limit=None).then(
            lambda: (self.memory_text(), self.rows()), outputs=[self.memory, self.table])

    def models(self) -> tuple[KnownModel, ...]:
        return catalogue(self.bench.home)

    def names(self) -> list[str]:
        try:
            return [m.name for m in self.models()]
        except SamanthaError:
            return []

    def number(self, text: str) -> str:
        return text.replace(".", ",") if self.lang == "pt" else text

    def memory_text(self) -> str:
        memory = this_computer()
        if memory is None:
            return self.t["catalogue_unknown"].label
        which = self.t["catalogue_available" if memory.kind == "available" else
                       "catalogue_total"].label
        return self.t["catalogue_memory"].label.format(
            memory=self.number(gigabytes(memory.bytes)), which=which, n_ctx=DEFAULT_CONTEXT)

    def fits(self, model: KnownModel, memory: Memory | None) -> str:
        if memory is None:
            return "?"
        verdict = fit(memory_needed(model).total, memory.bytes)
        if verdict.fits:  # plain words: the table's font has no emoji
            return self.t["catalogue_fits"].label
        return self.t["catalogue_needs"].label.format(self.number(verdict.short_gb))

    def rows(self) -> list[list[str]]:
        try:
            models = self.models()
        except SamanthaError as exc:
            return [[f"⚠️ {exc}", "", "", "", "", "", "", ""]]
        memory = this_computer()
        here = self.t["catalogue_here"].label
        return [[m.name + (f" ({here})" if downloaded_path(m, self.bench.models_dir) else ""),
                 f"{m.title} · {m.parameters} · {m.quantization}",
                 self.number(gigabytes(m.size)),
                 self.number(gigabytes(memory_needed(m).total)),
                 self.fits(m, memory), ", ".join(m.languages), m.purpose(self.lang), m.license]
                for m in models]

    def picked(self, event: gr.SelectData) -> Any:
        row = event.index[0] if isinstance(event.index, (list, tuple)) else event.index
        names = self.names()
        return names[row] if isinstance(row, int) and 0 <= row < len(names) else gr.skip()

    def fetch(self, name: str | None) -> Iterator[str]:
        if not name:
            yield "⚠️ " + self.t["msg_catalogue_pick_first"].label
            return
        try:
            model = next(m for m in self.models() if m.name == name)
        except (SamanthaError, StopIteration) as exc:
            yield f"⚠️ {exc}" if isinstance(exc, SamanthaError) else f"⚠️ {name}?"
            return
        yield from download_messages(
            lambda progress: download_known(model, self.bench.models_dir, progress=progress),
            lambda path: self.t["msg_catalogue_done"].label.format(path.name))
