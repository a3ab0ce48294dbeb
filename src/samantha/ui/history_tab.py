"""The History tab: past runs, searchable; open one, export it, run it again."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator, Mapping

import gradio as gr

from samantha.core.chain import ChainConfig
from samantha.core.errors import SamanthaError
from samantha.core.transcript import Transcript
from samantha.docs.compare import compare, grid_markdown
from samantha.docs.export import EXPORTERS, run_to_markdown
from samantha.docs.notebook import run_to_notebook
from samantha.ui.texts import Text

FORMATS = {"html": "html", "md": "md", "json": "json", "ipynb": "ipynb"}


class HistoryTab:
    def __init__(self, bench: Any, t: Mapping[str, Text]) -> None:
        self.bench = bench
        self.t = t

    def build(self) -> None:
        t = self.t
        with gr.Row():
            self.search = gr.Textbox(label=t["history_search"].label,
                                     info=t["history_search"].help, scale=4,
                                     elem_id="history-search")
            self.refresh = gr.Button(t["history_refresh"].label, scale=1)
        self.runs = gr.Dataframe(headers=["id", "started", "status", "models", "prompts"],
                                 value=self.rows(""), label=t["runs"].label, interactive=False,
                                 max_height=300, elem_id="runs")
        with gr.Row():
            self.run_id = gr.Number(label=t["run_id"].label, precision=0, scale=1)
            self.open = gr.Button(t["open_run"].label, scale=1)
            self.compare = gr.Button(t["compare_run"].label, scale=1, elem_id="compare-run")
            self.fmt = gr.Radio(list(FORMATS), value="html", label=t["export_format"].label,
                                scale=2)
            self.export = gr.Button(t["export"].label, scale=1)
            self.rerun = gr.Button(t["rerun"].label, scale=1)
        self.view = gr.Markdown(elem_id="run-view")
        self.file = gr.File(label=t["export"].label, interactive=False, height=120)
        self.rerun_output = gr.Textbox(label=t["output"].label, lines=10, interactive=False)

        self.search.submit(self.rows, inputs=self.search, outputs=self.runs)
        self.refresh.click(self.rows, inputs=self.search, outputs=self.runs)
        self.runs.select(self.pick, outputs=self.run_id)
        self.open.click(self.show, inputs=self.run_id, outputs=self.view)
        self.compare.click(self.comparison, inputs=self.run_id, outputs=self.view)
        self.export.click(self.export_file, inputs=[self.run_id, self.fmt], outputs=self.file)
        self.rerun.click(self.run_again, inputs=self.run_id, outputs=self.rerun_output,
                         concurrency_limit=None)

    def rows(self, search: str) -> list[list[Any]]:
        runs = self.bench.store.list_runs(search=search or None, limit=200)
        return [[r.id, r.started_at[:19].replace("T", " "), r.status,
                 ", ".join(r.config.get("models", [])), r.title] for r in runs]

    @staticmethod
    def pick(event: gr.SelectData) -> int | None:
        row = event.row_value if hasattr(event, "row_value") else None
        return int(row[0]) if row else None

    def _view(self, run_id: Any, render: Any) -> str:
        """``render(record)`` for the chosen run, or what is wrong with the choice."""
        if run_id in (None, ""):
            return ""
        try:
            return render(self.bench.store.get_run(int(run_id)))
        except SamanthaError as exc:
            return f"⚠️ {exc}"

    def show(self, run_id: Any) -> str:
        return self._view(run_id, self._run_text)

    def comparison(self, run_id: Any) -> str:
        return self._view(run_id, lambda record: grid_markdown(compare(record), limit=600))

    def _run_text(self, record: Any) -> str:
        text = run_to_markdown(record)
        steps = [c for c in record.cycles if self.bench.store.get_trace(c.id)]
        if steps:
            text += f"\n\n*Learning-mode traces stored for {len(steps)} cycle(s).*"
        for code in self.bench.store.code_runs(record.id):
            text += (f"\n\n**Code run** (exit status {code.exit_status}, {code.seconds:.1f} s)"
                     f"\n\n```\n{(code.stdout + code.stderr).strip()}\n```")
        return text

    def export_file(self, run_id: Any, fmt: str) -> str | None:
        if run_id in (None, ""):
            return None
        record = self.bench.store.get_run(int(run_id))
        text = run_to_notebook(record) if fmt == "ipynb" else EXPORTERS[fmt](record)
        folder = self.bench.home / "exports"
        folder.mkdir(parents=True, exist_ok=True)
        path = Path(folder / f"run-{record.id}.{FORMATS[fmt]}")
        path.write_text(text, encoding="utf-8")
        return str(path)

    def run_again(self, run_id: Any) -> Iterator[str]:
        if run_id in (None, ""):
            return
        try:
            record = self.bench.store.get_run(int(run_id))
            chain = self.bench.start_run(ChainConfig.from_dict(record.config, where="run"))
        except SamanthaError as exc:
            yield f"⚠️ {exc}"
            return
        transcript = Transcript()
        for event in chain:
            transcript.add(event)
            yield transcript.text
        yield transcript.text + f"\n\n({self.t['msg_run_saved'].label.format(chain.id)})"
