"""The Chat tab. On the left, what a newcomer needs first: the USER prompt, the line that says
what will run, Start / Stop; then the other controls in panels one click away. On the right, the
output and its buttons, then learning mode, code and voice. Its handlers turn the tab's values
into a ChainConfig, run it through the Workbench and show the run's events."""

from __future__ import annotations

import html
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, Mapping

import gradio as gr

from samantha.core.chain import CHAIN_SWITCHES, ChainConfig
from samantha.core.chat import build_messages
from samantha.core.codeblocks import extract_python
from samantha.core.control import RunControl
from samantha.core.errors import SamanthaError
from samantha.core.prompt_format import AUTO, FORMATS
from samantha.core.promptscript import parse
from samantha.core.run_events import CodeRan, CycleFinished
from samantha.core.trace import display_piece
from samantha.core.transcript import Transcript
from samantha.core.whatif import RecentLogits, parse_what_if, what_if_stored
from samantha.documents.export import markdown_to_html_page
from samantha.ui import views
from samantha.ui.chat.code import CodePanel
from samantha.ui.chat.files import FilesPanel
from samantha.ui.chat.first_answer import first_answer
from samantha.ui.chat.model_list import ModelsPanel
from samantha.ui.chat.options import ChainOptions, checkbox
from samantha.ui.chat.sampling import SamplingPanel
from samantha.ui.chat.tools import REFRESH as TOOLS_REFRESH
from samantha.ui.chat.tools import ToolsPanel
from samantha.ui.chat.voice import VoicePanel
from samantha.ui.header import Header
from samantha.ui.learning.branching import stream_branch
from samantha.ui.learning.panel import LearningPanel, layers_of
from samantha.ui.serving.feed import RunFeed
from samantha.ui.serving.live import LiveText, login_of
from samantha.ui.serving.published import PublishedFiles
from samantha.ui.serving.runs import ActiveRun, ActiveRuns, run_backends
from samantha.ui.serving.session import UiSession
from samantha.ui.words.table import Text
from samantha.ui.words.wording import (
    backends_text,
    formats_text,
    phrases,
    plan_text,
    status_text,
)

if TYPE_CHECKING:
    from samantha.workbench.facade import Workbench

REFRESH_SECONDS = 0.5  # how long the run's Gradio event waits for news before it looks again
SETTLE_SECONDS = 0.2  # after a cycle's end, how long to wait for the run's before showing it


class ChatTab:
    def __init__(self, bench: Workbench, t: Mapping[str, Text], header: Header,
                 live: LiveText | None = None, runs: ActiveRuns | None = None,
                 lang: str = "en", files: PublishedFiles | None = None,
                 tool_list: Any = None, first_model: str | None = None) -> None:
        self.bench, self.t, self.header, self.lang = bench, t, header, lang
        self.first_model = first_model  # `samantha ui --model` (None: ui/chat/first_answer.py's)
        self.tool_list = tool_list  # the tools each tab started (ui/serving/tool_list.py)
        self.live = live or LiveText()
        self.runs = runs or ActiveRuns()
        self.files = files or PublishedFiles()
        self.words = phrases(t)

    def describe(self, progress: Any) -> str:
        return status_text(progress, self.t, self.lang)

    # -- layout -----------------------------------------------------------------------------------
    def build(self) -> None:
        t = self.t
        self.state = gr.State(lambda: UiSession(Transcript(words=self.words)))
        # the tab's live-stream token, read by the page script (hidden by CSS, not by Gradio,
        # so that it is in the page)
        self.live_token = gr.Textbox("", elem_id="live-token", elem_classes=["samantha-hidden"],
                                     show_label=False, interactive=False, container=False)
        with gr.Row(equal_height=False):
            with gr.Column(scale=5, min_width=420):
                self._left(t)
            with gr.Column(scale=6, min_width=460):
                self._right(t)
        self._wire()

    def _left(self, t: Mapping[str, Text]) -> None:
        model, prompt = first_answer(self.lang, self.first_model)  # a first answer that makes sense
        self.prompts = gr.Textbox(label=t["user_prompt"].label, info=t["user_prompt"].help,
                                  lines=7, max_lines=14, value=prompt,
                                  placeholder=t["prompt_grammar"].label, elem_id="user-prompt")
        self.plan = gr.Markdown(self.plan_line(prompt, model, 1, 1, False),
                                elem_id="plan-line", latex_delimiters=[])
        self.error = gr.Markdown(elem_id="input-error", latex_delimiters=[])
        with gr.Row(equal_height=True):
            self.start = gr.Button(t["start"].label, variant="primary", elem_id="start-button")
            self.stop_next = gr.Button(t["stop_next"].label, elem_id="stop-next-button")
            self.stop_all = gr.Button(t["stop_all"].label, variant="stop",
                                      elem_id="stop-all-button")
        with gr.Accordion(t["conversation"].label, open=False, elem_id="conversation"):
            self.system = gr.Textbox("", label=t["system_prompt"].label,
                                     info=t["system_prompt"].help, lines=2,
                                     elem_id="system-prompt")
            self.feedback = checkbox(t, "feedback_loop")
            self.previous = gr.Textbox("", label=t["previous_response"].label,
                                       info=t["previous_response"].help, lines=2,
                                       elem_id="previous-response")
            self.replace = gr.Button(t["replace_response"].label, size="sm")
            self.prompt_format = gr.Dropdown(list(FORMATS), value=AUTO,
                                             label=t["prompt_format"].label,
                                             info=t["prompt_format"].help,
                                             elem_id="prompt-format")
        self.models_panel = ModelsPanel(self.bench, t)
        self.models_panel.build()
        self.models = self.models_panel.models
        self.models.value = model  # the page's first model (ui/chat/first_answer.py)
        self.header.model.value = self.header.model_line([model])
        self.options = ChainOptions(t)
        self.options.build()
        self.sampling = SamplingPanel(self.bench, t)
        self.sampling.build()
        FilesPanel(self.bench, t, self.files.publish, self.lang).build(
            self.system, self.previous, self.prompts, self.models, self.error, self.feedback,
            self.options.switches["single_response"])

    def _right(self, t: Mapping[str, Text]) -> None:
        self.output = gr.Textbox(label=t["output"].label, info=t["output"].help, lines=15,
                                 max_lines=15, autoscroll=True, interactive=False,
                                 elem_id="output")
        with gr.Row(equal_height=True, elem_id="output-actions"):
            self.clean = gr.Button(t["clean_history"].label, size="sm", elem_id="clean-button")
            self.copy_last = gr.Button(t["copy_last"].label, size="sm", elem_id="copy-last")
            self.copy_all = gr.Button(t["copy_all"].label, size="sm", elem_id="copy-all")
            self.response_html = gr.Button(t["response_html"].label, size="sm")
            self.responses_html = gr.Button(t["responses_html"].label, size="sm")
        self.last_response = gr.Textbox(visible=False, elem_id="last-response")
        self.all_responses = gr.Textbox(visible=False, elem_id="all-responses")
        self.page = gr.Textbox(visible=False)
        self.learning = LearningPanel(t, lang=self.lang)
        with gr.Accordion(t["learning"].label, open=False, elem_id="learning-panel"):
            self.learning.build_pace()
            self.learning.build(live=True)
            self._branch_controls(t)
        self.code = CodePanel(t, self.files.publish)
        self.code.build()
        self.voice = VoicePanel(self.bench.home, t, self.lang, self.files.publish,
                                self.bench.hearing)
        self.voice.build()
        self.tools = ToolsPanel(self.bench, t, self.tab_token, self.tool_list,
                                self.files.publish)
        self.tools.build()

    def _branch_controls(self, t: Mapping[str, Text]) -> None:
        """A click on a candidate branches from it (the page script fills the hidden id)."""
        gr.Markdown(t["chat_branch"].label, elem_id="chat-branch-hint")
        self.branch_token = gr.Number(None, precision=0, elem_id="chat-branch-token",
                                      elem_classes=["samantha-hidden"], container=False,
                                      show_label=False)
        self.branch_button = gr.Button(t["branch_button"].label, elem_id="chat-branch-button",
                                       elem_classes=["samantha-hidden"])
        self.branch_view = gr.HTML(elem_id="chat-branch-view")

    # -- wiring -----------------------------------------------------------------------------------
    def _wire(self) -> None:
        inputs = {self.state, self.system, self.feedback, self.previous, self.prompts,
                  self.models, self.prompt_format, self.learning.pace, self.learning.layers,
                  self.voice.auto_read, self.voice.voice, *self.options.inputs,
                  *self.sampling.inputs}
        self.stream_outputs = [self.output, self.error, self.start, self.last_response,
                               self.all_responses, *self.learning.outputs, *self.code.outputs,
                               self.voice.speech]
        self.start.click(self.run_chain, inputs=inputs, outputs=self.stream_outputs,
                         concurrency_limit=None, show_progress="hidden")
        self.branch_button.click(self.branch_from, inputs=[self.state, self.branch_token],
                                 outputs=self.branch_view, concurrency_limit=None)
        for button, action in ((self.stop_next, "stop_cycle"), (self.stop_all, "stop_run"),
                               (self.learning.next_token, "step")):
            button.click(lambda s, a=action: getattr(s.control, a)(), inputs=self.state,
                         outputs=None, concurrency_limit=None, queue=False)
        plan_inputs = [self.prompts, self.models, self.options.loops, self.options.responses,
                       self.options.switches["single_response"], self.prompt_format,
                       self.system, self.previous, self.feedback]
        for field in plan_inputs:
            # gradio declares .change on each component class, not on their common base
            field.change(self.plan_and_model, inputs=plan_inputs,  # type: ignore[attr-defined]  # see above
                         outputs=[self.plan, self.header.model], queue=False,
                         show_progress="hidden", trigger_mode="always_last")
        self.clean.click(self.clean_history, inputs=self.state, outputs=self.stream_outputs,
                         show_progress="hidden")
        self.learning.keep_in(self.state)
        self.learning.what_if.submit(self.what_if, inputs=[self.state, self.learning.what_if],
                                     outputs=self.learning.what_if_table,
                                     show_progress="hidden")
        self.replace.click(lambda s: s.transcript.last_response, inputs=self.state,
                           outputs=self.previous)
        self.voice.read.click(self.read_aloud, inputs=[self.state, self.voice.voice],
                              outputs=[self.voice.speech, self.error])
        self.sampling.wire()
        self.code.run.click(self.run_code_now, inputs=[self.state, self.code.code,
                                                       self.options.switches["hide_html"],
                                                       self.options.switches["allow_network"]],
                            outputs=self.code.outputs, concurrency_limit=None)
        copy = "(text) => { navigator.clipboard.writeText(text || ''); return []; }"
        self.copy_last.click(None, inputs=self.last_response, js=copy)
        self.copy_all.click(None, inputs=self.all_responses, js=copy)
        self.code.copy.click(None, inputs=self.code.code, js=copy)
        self.tools.wire(self.state, self.code.code)
        self.code.jupyter.click(self.tools.open_jupyter, inputs=self.state,
                                outputs=self.code.tool_message).then(None, js=TOOLS_REFRESH)
        self.tools.written.focus(lambda s: self.tools.written_tables(s.last_code),
                                 inputs=self.state, outputs=self.tools.written)
        open_page = ("(path) => { if (!path) return; const root = String((window.gradio_config"
                     " && window.gradio_config.root) || location.origin).replace(/\\/$/, '');"
                     " window.open(root + '/gradio_api/file=' + encodeURI(path), '_blank',"
                     " 'noopener'); }")  # a page of its own, sandboxed (serving/doors.py)
        self.response_html.click(self.response_page, inputs=self.state, outputs=self.page
                                 ).then(None, inputs=self.page, js=open_page)
        self.responses_html.click(self.responses_page, inputs=self.state, outputs=self.page
                                  ).then(None, inputs=self.page, js=open_page)

    # -- the plan line ----------------------------------------------------------------------------
    def plan_line(self, prompts: str, models: str, loops: Any, responses: Any,
                  single: bool, fmt: str = AUTO, system: str = "", previous: str = "",
                  feedback: bool = False) -> str:
        """``2 prompts × 1 model = 2 cycles``, what is wrong with the script, a word about
        ``$$$`` when lines became separate prompts, and the prompt format of each model."""
        try:
            script = parse(prompts) if prompts.strip() else None
        except SamanthaError as exc:
            return f"⚠️ {exc}"
        items = len(script.items) if script else 0
        names = views.model_lines(models) or ["default"]
        line = plan_text(self.t, items, len(names), int(responses or 1), int(loops or 1),
                         single)
        line += " · " + self.t["plan_start"].label
        if items > 1 and "$$$" not in prompts:
            line += "  \n" + self.t["plan_lines"].label.format(n=items)
        if script is not None and items:
            first = script.items[0].render([])
            line += "  \n" + formats_text(self.t, self.formats(names, fmt, system, previous,
                                                                 feedback, first))
        return line

    def formats(self, names: list[str], fmt: str, system: str, previous: str, feedback: bool,
                prompt: str) -> list[tuple[str, str, str]]:
        """Each model's prompt format for the first cycle and once a previous response is fed
        back (read from the models' files, nothing loaded)."""
        first = build_messages(system, previous, prompt)
        later = build_messages(system, previous or "…", prompt) if feedback else first
        out = []
        for name in dict.fromkeys(names):
            now = self.bench.prompt_format_of(name, fmt or AUTO, first)
            out.append((name, now, self.bench.prompt_format_of(name, fmt or AUTO, later)))
        return out

    def plan_and_model(self, prompts: str, models: str, loops: Any, responses: Any,
                       single: bool, fmt: str, system: str, previous: str,
                       feedback: bool) -> tuple[str, str]:
        return (self.plan_line(prompts, models, loops, responses, single, fmt, system,
                               previous, feedback),
                self.header.model_line(views.model_lines(models)))

    # -- the run ----------------------------------------------------------------------------------
    def config_from(self, data: dict) -> tuple[ChainConfig, Any, bool]:
        """The tab's values as a chain (raises SamanthaError with a message for the user)."""
        switches = self.options.values(data)
        settings = self.sampling.settings(data).replace(prompt_format=data[self.prompt_format])
        pace = views.pace_of(data[self.learning.pace])
        models = views.model_lines(data[self.models]) or ["default"]
        config = ChainConfig(
            prompts=data[self.prompts], system=data[self.system] or "",
            previous=data[self.previous] or "",
            models=tuple(models), loops=int(data[self.options.loops]),
            responses=int(data[self.options.responses]),
            **{s.name: switches[s.ui_key] for s in CHAIN_SWITCHES if s.ui_key in switches},
            feedback=data[self.feedback],
            concurrency=int(data[self.options.concurrency] or 1),
            parallel=int(data[self.options.parallel] or 1),
            learn=pace is not False and not switches["fast_mode"],
            learn_layers=layers_of(data[self.learning.layers]),
            settings=settings.replace(seed=None), seed=settings.seed)
        return config, (None if pace is False else pace), switches["fast_mode"]

    def run_chain(self, data: dict, request: gr.Request) -> Iterator[dict]:
        """Start the run on a thread of its own and show its progress: the text and the status
        line through the tab's live stream, the cycles' ends and learning mode's panels through
        Gradio. The run goes on if the tab is closed: the Runs list shows it to every tab."""
        session: UiSession = data[self.state]
        if not data[self.prompts].strip():
            yield {self.error: f"⚠️ {self.t['msg_no_prompt'].label}"}
            return
        if not session.busy.acquire(blocking=False):
            return  # this tab is already running a chain (Enter pressed twice)
        try:
            page = getattr(request, "request", None)  # the browser's HTTP request
            token = self.tab_token(request)
            yield from self._run_chain(session, data, token, login_of(page) if page else None)
        finally:
            session.busy.release()

    def _start(self, session: UiSession, data: dict,
               tab: str = "") -> tuple[Any, RunFeed, ChainConfig]:
        config, pace, fast = self.config_from(data)
        session.control = RunControl(pace if config.learn else None)
        session.memory = RecentLogits()
        chain = self.bench.start_run(config, session.control, session.memory)
        session.run_id = chain.id
        paced = config.learn and pace not in (None, 0)
        feed = RunFeed(session, chain, paced=paced, show=not fast, describe=self.describe,
                       on_done=lambda: self.runs.remove(chain.id),
                       panel=(lambda: self.learning.live_view(session.steps))
                       if config.learn and not paced else None,
                       waiting=self.runs.waiting_line(session.control, self.bench, self.t),
                       backends=lambda: backends_text(run_backends(self.bench, config.models),
                                                      self.t))
        title = next((line.strip() for line in config.prompts.splitlines() if line.strip()), "")
        self.runs.add(ActiveRun(chain.id, title[:60], config.models, session.control,
                                lambda: feed.progress, tab=tab, status=lambda: feed.status))
        return chain, feed, config

    def page_token(self, request: gr.Request) -> str:
        """The tab's secret for its live stream (bound to its Gradio session), handed to its
        page once, when it loads."""
        return self.live.hand_out(request.session_hash or "")

    def tab_closed(self, request: gr.Request) -> None:
        """The tab is gone (closed, reloaded): a run of it paced token by token stops soon."""
        self.runs.tab_closed(self.tab_token(request))

    def tab_token(self, request: gr.Request) -> str:
        """The secret of the tab making ``request`` (for the server's own use)."""
        return self.live.token_for(request.session_hash or "")

    def _run_chain(self, session: UiSession, data: dict, token: str,
                   login: str | None) -> Iterator[dict]:
        try:
            chain, feed, config = self._start(session, data, token)
        except SamanthaError as exc:
            yield {self.error: f"⚠️ {exc}"}
            return
        feed.start()
        self.live.attach(token, feed, login)
        # Mid-run, Gradio sends no text while the live stream does: a late Gradio update
        # would show an older text for a moment. The last update below has it all.
        first = {self.error: "", self.start: gr.Button(interactive=False)}
        yield first if feed.show else {**first, self.output: session.transcript.text}
        view: dict = {}
        try:
            while True:  # one update per wake-up: each costs the browser and the server
                finished, milestones, tokens, download = feed.wait(REFRESH_SECONDS)
                if milestones and not finished:  # the run's end often follows a cycle's at
                    finished, more, _, later = feed.wait(SETTLE_SECONDS)  # once: one update
                    milestones, download = milestones + more, later or download
                view = {}
                if tokens and feed.paced:  # at full speed the live stream shows the token
                    view.update(self._learning(session))
                if download is not None:
                    view[self.error] = views.download_text(download)
                for event in milestones:
                    view.update(self._cycle_view(session, event, text=not feed.show))
                    if isinstance(event, CycleFinished) and data[self.voice.auto_read]:
                        view.update(self._speech(event.result.text, data[self.voice.voice]))
                if finished:
                    break
                if view:
                    yield view
        finally:
            self.live.detach(token, feed)
        view.update(self._cycle_view(session, None))
        view[self.start] = gr.Button(interactive=True)
        if feed.error is not None:
            view[self.error] = f"⚠️ {feed.error}"
        yield view

    def branch_from(self, session: UiSession, token: Any) -> Iterator[str]:
        """Answer again from a candidate of the token in view, beside the answer."""
        from samantha.workbench.branches import BranchPoint

        if token in (None, ""):
            return
        if session.busy.locked():
            yield f"<p>⚠️ {html.escape(self.t['msg_branch_wait'].label)}</p>"
            return
        step = session.steps[-1] if session.steps else None
        if step is None or session.run_id is None or session.cycle is None:
            yield f"<p>⚠️ {html.escape(self.t['msg_branch_needs_trace'].label)}</p>"
            return
        point = BranchPoint(session.run_id, session.cycle.cycle.number, step.step, int(token))
        yield from stream_branch(self.bench, self.t, point)

    def _learning(self, session: UiSession) -> dict:
        """The learning panels, when they have something to show or something to clear (each
        chart drawn costs the browser more than a streamed answer)."""
        steps = session.steps
        if not steps and not session.panels_shown:
            return {}
        session.panels_shown = bool(steps)
        return self.learning.view(steps, choice=session.inside)

    def _cycle_view(self, session: UiSession, event: Any, text: bool = True) -> dict:
        transcript = session.transcript
        view = self._learning(session)
        if text:
            view[self.output] = transcript.text
        view.update({self.last_response: transcript.last_response,
                     self.all_responses: "\n\n".join(transcript.responses)})
        if isinstance(event, CodeRan):
            session.last_code = event.result
            view.update(self.code.view(event.result, hide=False))
        elif isinstance(event, CycleFinished):
            code = extract_python(event.result.text).code
            if code:
                view[self.code.code] = code
        return view

    def _speech(self, text: str, voice: str | None) -> dict:
        path, problem = self.voice.say(text, voice)
        return {self.error: problem} if problem else {self.voice.speech: path}

    def read_aloud(self, session: UiSession, voice: str | None) -> list[Any]:
        path, problem = self.voice.say(session.transcript.last_response, voice)
        return [path if path else gr.skip(), problem or ""]

    def run_code_now(self, session: UiSession, code: str, hide_html: bool,
                     allow_network: bool = False) -> dict:
        source = code.strip() or extract_python(session.transcript.last_response).code
        if not source.strip():
            return {self.code.result: f"<p>{self.t['msg_no_code'].label}</p>"}
        if "```" in source:
            source = extract_python(source).code
        control = RunControl()
        if not session.busy.locked():  # no chain running here: the stop buttons stop this code
            session.control = control
        result = self.bench.run_code(source, cancel=control, allow_network=bool(allow_network))
        session.last_code = result
        return {**self.code.view(result, hide_html), self.code.code: source}

    def what_if(self, session: UiSession, asked: str) -> str:
        """Another chain on the scores of the token in view: its whole vocabulary while the
        model still holds them (the last tokens of the answer), else its stored candidates."""
        step = session.steps[-1] if session.steps else None
        return self.learning.other_chain(step, asked, lambda s, a: other_chain(
            self.bench, session, s, a))

    def clean_history(self, session: UiSession) -> dict:
        session.transcript.clear()
        session.steps = []
        return {self.output: "", self.error: "", self.last_response: "", self.all_responses: "",
                **self._learning(session)}

    def response_page(self, session: UiSession) -> str:
        text = session.transcript.last_response
        return self._published_page(text, "Samantha: response") if text else ""

    def responses_page(self, session: UiSession) -> str:
        text = "\n\n---\n\n".join(session.transcript.responses)
        return self._published_page(text, "Samantha: responses") if text else ""

    def _published_page(self, text: str, title: str) -> str:
        """The answers as an inert page (docs/inert.py), published for this tab: its path, which
        the UI serves in a sandbox, never in the UI's own origin."""
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "response.html"
            path.write_text(markdown_to_html_page(text, title), encoding="utf-8")
            return self.files.publish(path)


def other_chain(bench: Workbench, session: UiSession, step: Any, asked: str) -> tuple[Any, dict]:
    """What-if for one step of the answer in the learning panels (see ``ChatTab.what_if``)."""
    cycle = session.cycle
    settings = parse_what_if(asked, cycle.settings)
    remembered = session.memory.get(step.step)
    if remembered is None:
        before = [s.token_id for s in session.steps if s.step < step.step]
        return what_if_stored(step, before, settings, len(step.candidates)), {}
    other = bench.what_if(cycle.cycle.model, remembered, settings, len(step.candidates))
    vocab = bench.session(cycle.cycle.model, settings.n_ctx)
    return other, {i: display_piece(vocab.vocab_piece(i)) for v in other.views
                   for i, _ in v.survivors}
