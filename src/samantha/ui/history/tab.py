"""The History tab: past runs, searchable; open one, compare its models, see its leaderboard,
export it, run it again (with changed settings), resume it when it was interrupted, and replay
its learning-mode traces in the same panels as the Chat tab."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator, Mapping

import gradio as gr

from samantha.core.errors import SamanthaError, SettingsError
from samantha.core.settings import Settings, coerce
from samantha.core.trace import TokenStep
from samantha.core.transcript import Transcript
from samantha.documents.compare import compare, grid_markdown
from samantha.documents.export import fenced, run_to_markdown
from samantha.documents.formats import FORMATS, export_run
from samantha.documents.inert import clean
from samantha.documents.leaderboard import board_table_html
from samantha.store.runs import RUN_STATUSES
from samantha.ui import views
from samantha.ui.history.judging import JudgePanel
from samantha.ui.learning.branching import BRANCH_MORE, stream_branch
from samantha.ui.learning.inside import DRAWS, SEED, InsideChoice
from samantha.ui.learning.panel import LearningPanel
from samantha.ui.words.table import Text
from samantha.ui.words.wording import board_words, phrases

if TYPE_CHECKING:
    from samantha.workbench.facade import Workbench

CHANGE = re.compile(r'\s*(\w+)\s*=\s*("(?:[^"\\]|\\.)*"|\[[^\]]*\]|[^,]*)\s*(?:,|$)')


def parse_changes(text: str) -> tuple[dict[str, Any], list[str] | None]:
    """``temperature=0.8, max_tokens=100, model=a.gguf`` -> settings changes and models."""
    changes: dict[str, Any] = {}
    models: list[str] = []
    position, text = 0, text.strip()
    while position < len(text):
        match = CHANGE.match(text, position)
        if not match or match.end() == position:
            raise SettingsError(f"Cannot read the changes from {text[position:]!r}: write "
                                "name=value pairs separated by commas, e.g. temperature=0.8, "
                                "max_tokens=100, model=default.")
        key, value = match.group(1), match.group(2).strip()
        if key in ("model", "models"):
            models.append(value)
        else:
            changes[key] = coerce(key, value)
        position = match.end()
    return changes, models or None


class HistoryTab:
    def __init__(self, bench: Workbench, t: Mapping[str, Text],
                 publish: Callable[[Any], str] = str, lang: str = "en",
                 tools: Any = None) -> None:
        self.bench = bench
        self.tools = tools  # the Chat tab's Tools panel: JupyterLab on a run's notebook
        self.t = t
        self.lang = lang
        self.publish = publish  # an export as a file the UI may serve (see ui/serving/published.py)

    def build(self) -> None:
        t = self.t
        with gr.Row():
            self.search = gr.Textbox(label=t["history_search"].label,
                                     info=t["history_search"].help, scale=4,
                                     elem_id="history-search")
            self.refresh = gr.Button(t["history_refresh"].label, scale=1)
        # the prompts before the models (file names), wrapped: what identifies a run in sight
        self.runs = gr.Dataframe(headers=t["history_headers"].label.split("|"),
                                 value=self.rows(""), label=t["runs"].label, interactive=False,
                                 max_height=260, wrap=True, elem_id="runs",
                                 column_widths=["7%", "16%", "11%", "42%", "24%"])
        with gr.Row(equal_height=True):
            # the newest run, and the newest again while the list changes, until the user
            # picks or types another (Gradio shows 0 for none: only before the first run)
            self.run_id = gr.Number(self.newest, label=t["run_id"].label, precision=0,
                                    scale=1, elem_id="history-run-id")
            self.given_id = gr.State(lambda: self.newest())
            self.open = gr.Button(t["open_run"].label, scale=1, elem_id="open-run")
            self.compare = gr.Button(t["compare_run"].label, scale=1, elem_id="compare-run")
            self.fmt = gr.Radio(list(FORMATS), value="html", label=t["export_format"].label,
                                scale=3, elem_id="export-format")
            self.export = gr.Button(t["export"].label, scale=1, elem_id="export-run")
            self.jupyter = gr.Button(t["tool_jupyter"].label, scale=1, elem_id="history-jupyter")
        self.tool_message = gr.HTML(elem_id="history-tool-message")
        self.file = gr.File(label=t["export"].label, interactive=False, height=70,
                            elem_id="export-file")
        # the run opened (scrolled into view), under its buttons; the trace viewer below it
        # line_breaks: an answer's lines stay lines (Markdown would join them)
        self.view = gr.Markdown(elem_id="run-view", latex_delimiters=[], line_breaks=True)
        # the run's results by model (judges, checks, votes), and how to get them
        with gr.Accordion(t["history_leaderboard"].label, open=False,
                          elem_id="history-leaderboard-section") as self.board_section:
            gr.Markdown(t["history_leaderboard"].help, elem_id="history-leaderboard-help",
                        latex_delimiters=[])
            self.board = gr.HTML(elem_id="history-leaderboard")
            self.judging = JudgePanel(self.bench, t, self.lang)
            self.judging.build()
        with gr.Row(equal_height=True):
            self.changes = gr.Textbox(label=t["rerun_changes"].label,
                                      info=t["rerun_changes"].help, scale=4,
                                      elem_id="rerun-changes")
            self.rerun = gr.Button(t["rerun"].label, scale=1, elem_id="rerun-run")
            self.resume = gr.Button(t["resume"].label, scale=1, elem_id="resume-run")
        self.rerun_output = gr.Textbox(label=t["output"].label, lines=6, max_lines=12,
                                       interactive=False, elem_id="rerun-output")
        with gr.Accordion(t["trace_viewer"].label, open=False, elem_id="trace-viewer"):
            with gr.Row(equal_height=True):
                self.trace_cycle = gr.Number(1, label=t["trace_cycle"].label,
                                             info=t["trace_cycle"].help, precision=0,
                                             minimum=1, elem_id="trace-cycle")
                self.trace_step = gr.Number(1, label=t["trace_step"].label,
                                            info=t["trace_step"].help, precision=0, minimum=1,
                                            elem_id="trace-step")
                self.show_trace = gr.Button(t["trace_show"].label, elem_id="trace-show")
            self.trace_note = gr.Markdown(elem_id="trace-note", latex_delimiters=[])
            self.learning = LearningPanel(t, prefix="trace-", lang=self.lang)
            self.learning.build()
            with gr.Row(equal_height=True):
                self.branch_token = gr.Number(label=t["branch_token"].label,
                                              info=t["branch_token"].help, precision=0,
                                              minimum=0, elem_id="branch-token")
                self.branch_more = gr.Number(BRANCH_MORE, label=t["branch_more"].label,
                                             info=t["branch_more"].help, precision=0,
                                             minimum=1, elem_id="branch-more")
                self.branch_button = gr.Button(t["branch_button"].label,
                                               elem_id="branch-button")
                self.trace_page = gr.Button(t["trace_page"].label, elem_id="trace-page")
            # the page's link, under its button (shown once there is one)
            self.trace_file_link = gr.File(label=t["trace_page"].label, interactive=False,
                                           height=70, visible=False, elem_id="trace-file")
            self.branch_view = gr.HTML(elem_id="branch-view")
        self._wire()

    def _wire(self) -> None:
        self.search.submit(self.rows, inputs=self.search, outputs=self.runs)
        self.refresh.click(self.rows, inputs=self.search, outputs=self.runs)
        into_view = "() => document.querySelector('#run-view').scrollIntoView()"
        self.runs.select(self.pick, outputs=self.run_id)
        self.runs.change(self.follow_newest, inputs=[self.run_id, self.given_id],
                         outputs=[self.run_id, self.given_id], queue=False,
                         show_progress="hidden")
        self.open.click(self.show, inputs=self.run_id, outputs=self.view
                        ).then(None, js=into_view
                               ).then(self.leaderboard, inputs=self.run_id, outputs=self.board)
        self.compare.click(self.comparison, inputs=self.run_id, outputs=self.view
                           ).then(None, js=into_view
                                  ).then(self.leaderboard, inputs=self.run_id,
                                         outputs=self.board)
        self.board_section.expand(self.leaderboard, inputs=self.run_id, outputs=self.board)
        judging = self.judging
        judging.go.click(judging.run, inputs=[self.run_id, judging.judges, judging.rubric,
                                              judging.pairwise], outputs=judging.progress
                         ).then(self.leaderboard, inputs=self.run_id, outputs=self.board)
        if self.tools is not None:
            self.jupyter.click(self.tools.open_notebook, inputs=self.run_id,
                               outputs=self.tool_message)
        self.export.click(self.export_file, inputs=[self.run_id, self.fmt],
                          outputs=[self.file, self.view])
        self.rerun.click(self.run_again, inputs=[self.run_id, self.changes],
                         outputs=self.rerun_output, concurrency_limit=None)
        self.resume.click(self.resume_run, inputs=self.run_id, outputs=self.rerun_output,
                          concurrency_limit=None)
        self.branch_button.click(
            self.branch, inputs=[self.run_id, self.trace_cycle, self.trace_step,
                                 self.branch_token, self.branch_more],
            outputs=self.branch_view, concurrency_limit=None)
        self.trace_page.click(self.trace_file, inputs=[self.run_id, self.trace_cycle],
                              outputs=[self.trace_file_link, self.trace_note]
                              ).then(None, js="() => document.querySelector('#trace-file')"
                                              ".scrollIntoView({block: 'nearest'})")
        self.learning.what_if.submit(
            self.what_if, inputs=[self.run_id, self.trace_cycle, self.trace_step,
                                  self.learning.what_if],
            outputs=self.learning.what_if_table, show_progress="hidden")
        trace_outputs = [self.trace_note, *self.learning.outputs]
        in_view = [self.run_id, self.trace_cycle, self.trace_step]
        for trigger in (self.show_trace.click, self.trace_step.submit, self.trace_cycle.submit):
            trigger(self.trace, inputs=[*in_view, *self.learning.choices],
                    outputs=trace_outputs)
        self.learning.on_choice(self.redraw, in_view)

    def rows(self, search: str) -> list[list[Any]]:
        runs = self.bench.store.list_runs(search=search or None, limit=200)
        said = dict(zip(RUN_STATUSES, self.t["run_statuses"].label.split("|")))
        return [[r.id, r.started_at[:19].replace("T", " "), said.get(r.status, r.status),
                 r.title, ", ".join(views.short_model(m) for m in r.config.get("models", []))]
                for r in runs]

    def newest(self) -> int | None:
        return self.bench.store.latest_run_id()

    def follow_newest(self, shown: Any, given: int | None) -> tuple[Any, int | None]:
        """The newest run in the id box, unless the user has put another there."""
        if shown not in (None, "", 0, given):
            return gr.skip(), given
        newest = self.newest()
        return newest, newest

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

    def leaderboard(self, run_id: Any) -> str:
        """The run's leaderboard: a table of its models and a chart of their scores (every
        name in it escaped; cleaned all the same, as every piece of HTML the tabs show)."""
        from samantha.workbench.judging import run_leaderboard

        if run_id in (None, "", 0):
            return ""
        try:
            board = run_leaderboard(self.bench.store, [int(run_id)])
        except SamanthaError as exc:
            return clean(f"<p>⚠️ {html.escape(str(exc))}</p>")
        return clean(board_table_html(board, board_words(self.t)))

    def _run_text(self, record: Any) -> str:
        text = run_to_markdown(record)
        traced = [c for c in record.cycles if self.bench.store.get_trace(c.id)]
        if traced:
            text += "\n\n*" + self.t["msg_traces"].label.format(n=len(traced)) + "*"
        for code in self.bench.store.code_runs(record.id):
            text += (f"\n\n**Code run** (exit status {code.exit_status}, {code.seconds:.1f} s)"
                     f"\n\n{fenced((code.stdout + code.stderr).strip())}")
        return text

    def export_file(self, run_id: Any, fmt: str) -> tuple[str | None, Any]:
        if run_id in (None, ""):
            return None, gr.skip()
        try:
            record = self.bench.store.get_run(int(run_id))
        except SamanthaError as exc:
            return None, f"⚠️ {exc}"
        text = export_run(record, fmt)
        folder = self.bench.home / "exports"
        folder.mkdir(parents=True, exist_ok=True)
        path = Path(folder / f"run-{record.id}.{fmt}")
        path.write_text(text, encoding="utf-8")
        return self.publish(path), gr.skip()

    def run_again(self, run_id: Any, changes: str) -> Iterator[str]:
        """The stored chain again, with the settings (and models) written in ``changes``."""
        if run_id in (None, ""):
            return
        try:
            settings, models = parse_changes(changes or "")
            config = self.bench.rerun_config(int(run_id), settings, models)
            chain = self.bench.start_run(config)
        except SamanthaError as exc:
            yield f"⚠️ {exc}"
            return
        yield from self._follow(chain)

    def resume_run(self, run_id: Any) -> Iterator[str]:
        if run_id in (None, ""):
            return
        try:
            chain = self.bench.resume_run(int(run_id))
        except SamanthaError as exc:
            yield f"⚠️ {exc}"
            return
        yield from self._follow(chain)

    def _follow(self, chain: Any) -> Iterator[str]:
        transcript = Transcript(words=phrases(self.t))
        for event in chain:
            transcript.add(event)
            yield transcript.text
        yield transcript.text + f"\n\n({self.t['msg_run_saved'].label.format(chain.id)})"

    def branch(self, run_id: Any, cycle: Any, step: Any, token: Any,
               more: Any) -> Iterator[str]:
        """Answer again from a candidate of the trace in view, beside the original."""
        from samantha.workbench.branches import BranchPoint

        if run_id in (None, "") or token in (None, ""):
            return
        point = BranchPoint(int(run_id), int(cycle or 1), int(step or 1), int(token))
        yield from stream_branch(self.bench, self.t, point, int(more) if more else None)

    def _steps(self, record: Any, cycle: Any) -> tuple[Any, list[TokenStep]]:
        """A cycle of a stored run (None when there is no such cycle) and its trace."""
        found = next((c for c in record.cycles if c.number == int(cycle or 1)), None)
        stored = self.bench.store.get_trace(found.id) if found else []
        return found, [TokenStep.from_dict(d) for d in stored]

    def what_if(self, run_id: Any, cycle: Any, step: Any, asked: str) -> str:
        """Another chain on the stored candidates of the token in view."""
        from samantha.core.whatif import parse_what_if, what_if_stored

        try:
            record = self.bench.store.get_run(int(run_id))
        except (SamanthaError, TypeError, ValueError):
            return ""
        found, steps = self._steps(record, cycle)
        if not steps:
            return ""
        focus = steps[min(max(int(step or 1), 1), len(steps)) - 1]
        before = [s.token_id for s in steps if s.step < focus.step]
        settings = Settings.from_dict(found.settings)
        return self.learning.other_chain(focus, asked, lambda s, a: (
            what_if_stored(s, before, parse_what_if(a, settings), len(s.candidates)), {}))

    def trace_file(self, run_id: Any, cycle: Any) -> tuple[Any, str]:
        """The trace in view as a self-contained page, to download (its link under the
        button)."""
        from samantha.documents.trace_html import WORDS, trace_page

        nothing = gr.File(None, visible=False)
        if run_id in (None, ""):
            return nothing, ""
        try:
            record = self.bench.store.get_run(int(run_id))
        except SamanthaError as exc:
            return nothing, f"⚠️ {exc}"
        number = int(cycle or 1)
        _, steps = self._steps(record, number)
        if not steps:
            note = self.t["msg_no_trace"].label.format(cycle=number, run=record.id)
            return nothing, f"⚠️ {note}"
        words = WORDS[self.lang]
        title = f"Samantha {record.id}.{number}: {record.title}"
        folder = self.bench.home / "exports"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"trace-{record.id}-{number}.html"
        path.write_text(trace_page(steps, title, words["answer"], words), encoding="utf-8")
        return gr.File(self.publish(path), visible=True), ""

    def redraw(self, run_id: Any, cycle: Any, step: Any, layer: Any = None,
               draws: Any = DRAWS, seed: Any = SEED) -> dict:
        """The heat-map and the draws of the token in view (read from the store again: nothing
        is generated), with the panel's choices; empty without a trace."""
        try:
            _, steps = self._steps(self.bench.store.get_run(int(run_id)), cycle)
        except (SamanthaError, TypeError, ValueError):
            steps = []
        focus = steps[min(max(int(step or 1), 1), len(steps)) - 1] if steps else None
        return self.learning.redraw(focus, InsideChoice(layer, draws, seed))

    def trace(self, run_id: Any, cycle: Any, step: Any, layer: Any = None,
              draws: Any = DRAWS, seed: Any = SEED) -> list[Any]:
        """The stored trace of one cycle in the learning panels, token ``step`` in focus, the
        heads' layer and the draws as chosen."""
        empty = [""] * len(self.learning.outputs)
        if run_id in (None, ""):
            return ["", *empty]
        try:
            record = self.bench.store.get_run(int(run_id))
        except SamanthaError as exc:
            return [f"⚠️ {exc}", *empty]
        number = int(cycle or 1)
        _, steps = self._steps(record, number)
        if not steps:
            note = self.t["msg_no_trace"].label.format(cycle=number, run=record.id)
            return [f"⚠️ {note}", *empty]
        focus = steps[min(max(int(step or 1), 1), len(steps)) - 1]
        view = self.learning.view(steps, focus=focus, choice=InsideChoice(layer, draws, seed))
        return ["", *(view[c] for c in self.learning.outputs)]
