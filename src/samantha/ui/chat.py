"""The Chat tab: every control of the predecessor, on the left; the output and the learning and
code panels on the right. Its handlers turn the tab's values into a ChainConfig, run it through
the Workbench, and render the run's events."""

from __future__ import annotations

import threading
from typing import Any, Iterator, Mapping

import gradio as gr

from samantha.core.chain import ChainConfig
from samantha.core.codeblocks import extract_python
from samantha.core.control import RunControl
from samantha.core.errors import SamanthaError
from samantha.core.events import (
    CodeRan,
    CycleFailed,
    CycleFinished,
    CycleStarted,
    DownloadProgress,
    RunFinished,
    TokenEvent,
)
from samantha.core.settings import DETERMINISTIC, PARAMETERS, STOCHASTIC
from samantha.docs.code_page import code_result_page
from samantha.docs.export import markdown_to_html_page
from samantha.ui import views
from samantha.ui.chat_extras import ChatExtras
from samantha.ui.live import LiveText
from samantha.ui.session import UiSession
from samantha.ui.texts import Text
from samantha.voice.speech import Speaker, speech_file

SLIDERS = {  # name: (minimum, maximum, step), the predecessor's ranges where it had them
    "n_ctx": (0, 131072, 64), "max_tokens": (0, 131072, 1), "temperature": (0, 5, 0.05),
    "tfs_z": (0, 5, 0.05), "top_p": (0, 1, 0.01), "min_p": (0, 1, 0.01),
    "typical_p": (0, 1, 0.01), "top_k": (0, 1000, 1), "presence_penalty": (-2, 2, 0.05),
    "frequency_penalty": (-2, 2, 0.05), "repeat_penalty": (0.1, 2, 0.05),
    "penalty_last_n": (0, 4096, 1),
}
SWITCHES = ("single_response", "reset_model", "shuffle", "fast_mode", "auto_run_code",
            "stop_condition", "cumulative", "random_params", "output_only", "hide_html")
REFRESH_SECONDS = 0.5  # learning mode at full speed: its panels twice a second (see live.py)


class RunFeed:
    """Runs a chain on a thread of its own, keeping the tab's session up to date; the UI picks
    up what changed whenever it is ready."""

    def __init__(self, session: UiSession, chain: Any, paced: bool, show: bool = True) -> None:
        self.session, self.chain, self.paced = session, chain, paced
        self.show = show  # stream the text to the page (fast mode: only its sounds)
        self.changed = threading.Condition()
        self.milestones: list[Any] = []  # cycle ends, code runs: each shown once
        self.tokens = 0
        self.download: DownloadProgress | None = None
        self.done = False
        self.error: BaseException | None = None

    @property
    def text(self) -> str:
        return self.session.transcript.text

    def start(self) -> None:
        threading.Thread(target=self._run, name=f"run-{self.chain.id}", daemon=True).start()

    def _run(self) -> None:
        session = self.session
        try:
            for event in self.chain:
                with self.changed:
                    session.transcript.add(event)
                    if isinstance(event, CycleStarted):
                        session.steps = []
                    elif isinstance(event, TokenEvent):
                        self.tokens += 1
                        if event.trace is not None:
                            session.steps.append(event.trace)
                    elif isinstance(event, DownloadProgress):
                        self.download = event
                    elif isinstance(event, (CycleFinished, CycleFailed, RunFinished, CodeRan)):
                        self.milestones.append(event)
                    if self.paced or not isinstance(event, TokenEvent):
                        self.changed.notify_all()
        except Exception as exc:  # shown in the tab; the run is already marked failed
            self.error = exc
        finally:
            with self.changed:
                self.done = True
                self.changed.notify_all()

    def wait(self, seconds: float) -> tuple[bool, list[Any], int, DownloadProgress | None]:
        """What happened since the last call (waiting up to ``seconds`` for something)."""
        with self.changed:
            if not (self.done or self.milestones or (self.paced and self.tokens)):
                self.changed.wait(seconds)
            milestones, self.milestones = self.milestones, []
            tokens, self.tokens = self.tokens, 0
            download, self.download = self.download, None
            return self.done, milestones, tokens, download


class ChatTab:
    def __init__(self, bench: Any, t: Mapping[str, Text], live: LiveText | None = None,
                 lang: str = "en") -> None:
        self.bench = bench
        self.t = t
        self.live = live or LiveText()
        self.lang = lang
        self.speaker = Speaker()

    # -- layout -----------------------------------------------------------------------------------
    def build(self) -> None:
        t = self.t
        self.state = gr.State(lambda: UiSession())
        with gr.Row(equal_height=False):
            with gr.Column(scale=5, min_width=420):
                self._left_column(t)
            with gr.Column(scale=6, min_width=460):
                self._right_column(t)
        self._wire()

    def _text(self, key: str, **kwargs: Any) -> gr.Textbox:
        return gr.Textbox(label=self.t[key].label, info=self.t[key].help or None, **kwargs)

    def _check(self, key: str, value: bool = False, **kwargs: Any) -> gr.Checkbox:
        return gr.Checkbox(value=value, label=self.t[key].label, info=self.t[key].help or None,
                           elem_id=f"opt-{key}", **kwargs)

    def _left_column(self, t: Mapping[str, Text]) -> None:
        with gr.Row():
            self.start = gr.Button(t["start"].label, variant="primary", elem_id="start-button")
            self.stop_next = gr.Button(t["stop_next"].label, elem_id="stop-next-button")
            self.stop_all = gr.Button(t["stop_all"].label, variant="stop",
                                      elem_id="stop-all-button")
        with gr.Row():
            self.clean = gr.Button(t["clean_history"].label, size="sm", elem_id="clean-button")
            self.replace = gr.Button(t["replace_response"].label, size="sm")
            self.unload = gr.Button(t["unload_model"].label, size="sm")
        self.system = self._text("system_prompt", lines=2, elem_id="system-prompt")
        self.feedback = self._check("feedback_loop")
        self.previous = self._text("previous_response", lines=2, elem_id="previous-response")
        self.prompts = self._text("user_prompt", lines=6, value="Who are you?",
                                  placeholder=t["prompt_grammar"].label, elem_id="user-prompt")
        gr.Markdown(f"<small>{t['prompt_grammar'].label}</small>", latex_delimiters=[])
        self.error = gr.Markdown(elem_id="input-error")
        with gr.Row():
            self.model_pick = gr.Dropdown(label=t["add_model"].label, info=t["add_model"].help,
                                          choices=self._model_choices(), value="default",
                                          allow_custom_value=True, scale=4)
            self.add_model = gr.Button(t["add_model_button"].label, size="sm", scale=1)
        self.models = self._text("models", lines=2, value="default", elem_id="models")
        self.extras = ChatExtras(self.bench, t)
        self.extras.build_files(self.system, self.previous, self.prompts, self.models,
                                self.error)
        with gr.Accordion(t["chain_options"].label, open=True):
            self.switches = {}
            for pair in range(0, len(SWITCHES), 2):
                with gr.Row():
                    self.switches.update({key: self._check(key)
                                          for key in SWITCHES[pair: pair + 2]})
            self.pace = gr.Radio(views.PACE_CHOICES, value="OFF", label=t["learning_mode"].label,
                                 info=t["learning_mode"].help, elem_id="learning-pace")
            with gr.Row():
                self.loops = gr.Radio(views.LOOP_CHOICES, value=1, label=t["loops"].label,
                                      info=t["loops"].help)
                self.responses = gr.Radio(views.LOOP_CHOICES, value=1,
                                          label=t["responses"].label, info=t["responses"].help)
        with gr.Accordion(t["sampling"].label, open=False, elem_id="sampling"):
            with gr.Row():
                self.deterministic = gr.Button(t["deterministic"].label, size="sm")
                self.stochastic = gr.Button(t["stochastic"].label, size="sm")
            self.chain_order = gr.Markdown(self._order_text(DETERMINISTIC))
            self.sliders = {}
            for name, (low, high, step) in SLIDERS.items():
                self.sliders[name] = gr.Slider(
                    low, high, value=getattr(DETERMINISTIC, name), step=step,
                    label=t[name].label, info=t[name].help or PARAMETERS[name].help,
                    elem_id=f"slider-{name}")
            self.stop = self._text("stop", value="[]")
            self.seed = gr.Number(label=t["seed"].label, info=t["seed"].help, precision=0)

    def _right_column(self, t: Mapping[str, Text]) -> None:
        self.output = gr.Textbox(label=t["output"].label, lines=16, max_lines=16,
                                 autoscroll=True, interactive=False, elem_id="output")
        with gr.Row():
            self.next_token = gr.Button(t["next_token"].label, elem_id="next-token-button")
            self.copy_last = gr.Button(t["copy_last"].label, size="sm", elem_id="copy-last")
            self.copy_all = gr.Button(t["copy_all"].label, size="sm", elem_id="copy-all")
            self.copy_code = gr.Button(t["copy_code"].label, size="sm", elem_id="copy-code")
        with gr.Row():
            self.response_html = gr.Button(t["response_html"].label, size="sm")
            self.responses_html = gr.Button(t["responses_html"].label, size="sm")
        self._speech_controls(t)
        self.last_response = gr.Textbox(visible=False, elem_id="last-response")
        self.all_responses = gr.Textbox(visible=False, elem_id="all-responses")
        self.page = gr.Textbox(visible=False)
        with gr.Accordion(t["learning"].label, open=True, elem_id="learning-panel"):
            self.stages = gr.Markdown(elem_id="stages")
            self.candidates = gr.HTML(label=t["candidates"].label, elem_id="candidates",
                                      max_height=340)
            self.probabilities = gr.BarPlot(views.probability_frame(None), x="candidate",
                                            y="probability", color="chosen",
                                            label=t["probabilities_plot"].label, sort=None,
                                            color_map={"chosen": "#e4572e", "other": "#4c72b0"},
                                            x_label_angle=-40, height=240)
            with gr.Row():
                self.ranks = gr.BarPlot(views.rank_frame([]), x="token", y="rank",
                                        label=t["ranks_plot"].label, height=200)
                self.entropy = gr.LinePlot(views.entropy_frame([]), x="token", y="entropy",
                                           label=t["entropy_plot"].label, height=200)
            self.unlikely = self._text("unlikely", lines=2, interactive=False,
                                       elem_id="unlikely")
            self.extras.build_model_panels(self.models)
        with gr.Accordion(t["code_result"].label, open=True):
            self.code = gr.Code(label=t["code_box"].label, language="python", lines=8,
                                interactive=True, elem_id="code-box")
            self.run_code = gr.Button(t["run_code"].label, elem_id="run-code-button")
            self.code_view = gr.HTML(elem_id="code-result")
            self.figures = gr.Gallery(label=t["figures"].label, columns=3, height=260,
                                      elem_id="figures")
            self.files = gr.Textbox(label=t["files"].label, interactive=False, lines=2)

    def _speech_controls(self, t: Mapping[str, Text]) -> None:
        try:
            voices = [(f"{v.name} ({v.id})", v.id) for v in self.speaker.voices()]
            default = self.speaker.voice_for(self.lang)
        except SamanthaError:  # no speech engine here: the button says why when pressed
            voices, default = [], None
        with gr.Row(equal_height=False):
            self.read = gr.Button(t["read_aloud"].label, size="sm", elem_id="read-aloud",
                                  scale=1)
            self.auto_read = self._check("auto_read")
            # played by the page (live.py); no event reads it, so Gradio would lock it
            self.sounds = self._check("sounds", value=True, interactive=True)
            self.voice = gr.Dropdown(voices, value=default, label=t["voice"].label,
                                     info=t["voice"].help, scale=2, elem_id="voice")
        self.speech = gr.Audio(label=t["speech"].label, autoplay=True, interactive=False,
                               elem_id="speech")

    def _model_choices(self) -> list[str]:
        try:
            names = [e.name for e in self.bench.library.list() if not e.error]
        except SamanthaError:
            names = []
        return ["default", *names]

    def _order_text(self, settings: Any) -> str:
        return f"{self.t['chain_order'].label}: `{self.bench.chain_order(settings)}`"

    # -- wiring -----------------------------------------------------------------------------------
    def _wire(self) -> None:
        inputs = {self.state, self.system, self.feedback, self.previous, self.prompts,
                  self.models, self.pace, self.loops, self.responses, self.stop, self.seed,
                  self.auto_read, self.voice, *self.switches.values(), *self.sliders.values()}
        self.stream_outputs = [self.output, self.error, self.last_response, self.all_responses,
                               self.stages, self.candidates, self.probabilities, self.ranks,
                               self.entropy, self.unlikely, self.code, self.code_view,
                               self.figures, self.files, self.speech]
        self.start.click(self.run_chain, inputs=inputs, outputs=self.stream_outputs,
                         concurrency_limit=None, show_progress="hidden")
        for button, action in ((self.stop_next, "stop_cycle"), (self.stop_all, "stop_run"),
                               (self.next_token, "step")):
            button.click(lambda s, a=action: getattr(s.control, a)(), inputs=self.state,
                         outputs=None, concurrency_limit=None, queue=False)
        self.clean.click(self.clean_history, inputs=self.state, outputs=self.stream_outputs,
                         show_progress="hidden")
        self.replace.click(lambda s: s.transcript.last_response, inputs=self.state,
                           outputs=self.previous)
        self.read.click(self.read_aloud, inputs=[self.state, self.voice],
                        outputs=[self.speech, self.error])
        self.unload.click(lambda: self.bench.unload() or None, outputs=None)
        self.add_model.click(lambda pick, text: "\n".join([*views.model_lines(text), pick])
                             if pick else text, inputs=[self.model_pick, self.models],
                             outputs=self.models)
        self.deterministic.click(lambda: self._preset(DETERMINISTIC),
                                 outputs=[*self.sliders.values(), self.chain_order])
        self.stochastic.click(lambda: self._preset(STOCHASTIC),
                              outputs=[*self.sliders.values(), self.chain_order])
        for slider in self.sliders.values():
            slider.change(self.order_from, inputs=set(self.sliders.values()),
                          outputs=self.chain_order, queue=False)
        self.run_code.click(self.run_code_now, inputs=[self.state, self.code,
                                                       self.switches["hide_html"]],
                            outputs=[self.code_view, self.figures, self.files, self.code],
                            concurrency_limit=None)
        copy = "(text) => { navigator.clipboard.writeText(text || ''); return []; }"
        self.copy_last.click(None, inputs=self.last_response, js=copy)
        self.copy_all.click(None, inputs=self.all_responses, js=copy)
        self.copy_code.click(None, inputs=self.code, js=copy)
        open_page = ("(page) => { if (!page) return; const w = window.open('', '_blank');"
                     " if (w) { w.document.write(page); w.document.close(); } }")
        self.response_html.click(self.response_page, inputs=self.state, outputs=self.page
                                 ).then(None, inputs=self.page, js=open_page)
        self.responses_html.click(self.responses_page, inputs=self.state, outputs=self.page
                                  ).then(None, inputs=self.page, js=open_page)

    def _preset(self, preset: Any) -> list[Any]:
        return [getattr(preset, name) for name in self.sliders] + [self._order_text(preset)]

    def order_from(self, values: dict) -> str:
        try:
            settings = DETERMINISTIC.replace(**{n: values[c] for n, c in self.sliders.items()})
        except SamanthaError as exc:
            return f"⚠️ {exc}"
        return self._order_text(settings)

    # -- the run ----------------------------------------------------------------------------------
    def config_from(self, data: dict) -> tuple[ChainConfig, Any, bool]:
        """The tab's values as a chain (raises SamanthaError with a message for the user)."""
        switches = {key: data[box] for key, box in self.switches.items()}
        settings = views.settings_from_values(
            {name: data[slider] for name, slider in self.sliders.items()}, data[self.stop],
            data[self.seed])
        pace = views.pace_of(data[self.pace])
        models = views.model_lines(data[self.models]) or ["default"]
        config = ChainConfig(
            prompts=data[self.prompts], system=data[self.system], previous=data[self.previous],
            models=tuple(models), loops=int(data[self.loops]),
            responses=int(data[self.responses]), feedback=data[self.feedback],
            cumulative=switches["cumulative"], feedback_output_only=switches["output_only"],
            single=switches["single_response"], shuffle=switches["shuffle"],
            random_params=switches["random_params"], reset_model=switches["reset_model"],
            auto_run_code=switches["auto_run_code"],
            stop_condition=switches["stop_condition"],
            learn=pace is not False and not switches["fast_mode"],
            settings=settings.replace(seed=None), seed=settings.seed)
        return config, (None if pace is False else pace), switches["fast_mode"]

    def run_chain(self, data: dict, request: gr.Request) -> Iterator[dict]:
        """Start the run on a thread of its own and show its progress: the text through the
        tab's live stream, the cycles' ends and learning mode's panels through Gradio.
        Generation never waits for the browser."""
        session: UiSession = data[self.state]
        if not data[self.prompts].strip():
            yield {self.error: f"⚠️ {self.t['msg_no_prompt'].label}"}
            return
        if not session.busy.acquire(blocking=False):
            return  # this tab is already running a chain (Enter pressed twice)
        try:
            yield from self._run_chain(session, data, request.session_hash or "")
        finally:
            session.busy.release()

    def _run_chain(self, session: UiSession, data: dict, tab: str) -> Iterator[dict]:
        try:
            config, pace, fast = self.config_from(data)
            session.control = RunControl(pace if config.learn else None)
            chain = self.bench.start_run(config, session.control)
        except SamanthaError as exc:
            yield {self.error: f"⚠️ {exc}"}
            return
        live = not fast  # the text streams through the tab's live stream (fast mode: per cycle)
        feed = RunFeed(session, chain, paced=config.learn and pace not in (None, 0), show=live)
        feed.start()
        self.live.attach(tab, feed)
        # Mid-run, Gradio sends no text while the live stream does: a late Gradio update
        # would show an older text for a moment. The last update below has it all.
        yield {self.error: ""} if live else {self.error: "", self.output: session.transcript.text}
        view: dict = {}
        try:
            while True:  # one update per wake-up: each costs the browser and the server
                finished, milestones, tokens, download = feed.wait(REFRESH_SECONDS)
                view = {}
                if tokens and config.learn:
                    view.update(self._learning(session, with_plots=feed.paced))
                if download is not None:
                    view[self.error] = views.download_text(download)
                for event in milestones:
                    view.update(self._cycle_view(session, event, text=not live))
                    if isinstance(event, CycleFinished) and data[self.auto_read]:
                        view.update(self._speech(event.result.text, data[self.voice]))
                if finished:
                    break
                if view:
                    yield view
        finally:
            self.live.detach(tab, feed)
            if not feed.done:  # the tab was closed or reloaded: stop its run
                session.control.stop_run()
        view.update(self._cycle_view(session, None))
        if feed.error is not None:
            view[self.error] = f"⚠️ {feed.error}"
        yield view

    def _learning(self, session: UiSession, with_plots: bool) -> dict:
        """The learning panels, when they have something to show or something to clear (each
        plot drawn costs the browser more than a streamed answer)."""
        steps = session.steps
        if not steps and not (with_plots and session.panels_shown):
            return {}
        step = steps[-1] if steps else None
        view = {self.stages: views.stage_text(step), self.candidates: views.candidate_table(step)}
        if with_plots:
            session.panels_shown = bool(steps)
            view.update({self.probabilities: views.probability_frame(step),
                         self.ranks: views.rank_frame(steps),
                         self.entropy: views.entropy_frame(steps),
                         self.unlikely: views.unlikely_text(steps)})
        return view

    def _cycle_view(self, session: UiSession, event: Any, text: bool = True) -> dict:
        transcript = session.transcript
        view = self._learning(session, with_plots=True)
        if text:
            view[self.output] = transcript.text
        view.update({self.last_response: transcript.last_response,
                     self.all_responses: "\n\n".join(transcript.responses)})
        if isinstance(event, CodeRan):
            view.update(self._code_view(event.result, hide=False))
        elif isinstance(event, CycleFinished):
            code = extract_python(event.result.text).code
            if code:
                view[self.code] = code
        return view

    def _speech(self, text: str, voice: str | None) -> dict:
        """The answer spoken into a file for the audio player, or why it cannot be."""
        try:
            path = self.speaker.save(text, speech_file(self.bench.home / "speech"), voice)
        except SamanthaError as exc:
            return {self.error: f"⚠️ {exc}"}
        return {self.speech: str(path)}

    def read_aloud(self, session: UiSession, voice: str | None) -> list[Any]:
        view = self._speech(session.transcript.last_response, voice)
        return [view.get(self.speech, gr.skip()), view.get(self.error, "")]

    def _code_view(self, result: Any, hide: bool) -> dict:
        page = code_result_page(result)
        return {self.code_view: "" if hide else views.iframe(page),
                self.figures: [str(f) for f in result.figures],
                self.files: "\n".join(str(f) for f in result.files)}

    def run_code_now(self, session: UiSession, code: str, hide_html: bool) -> dict:
        source = code.strip() or extract_python(session.transcript.last_response).code
        if not source.strip():
            return {self.code_view: f"<p>{self.t['msg_no_code'].label}</p>"}
        if "```" in source:
            source = extract_python(source).code
        control = RunControl()
        if not session.busy.locked():  # no chain running here: the stop buttons stop this code
            session.control = control
        result = self.bench.run_code(source, cancel=control)
        session.last_code = result
        return {**self._code_view(result, hide_html), self.code: source}

    def clean_history(self, session: UiSession) -> dict:
        session.transcript.clear()
        session.steps = []
        return {self.output: "", self.error: "", self.last_response: "", self.all_responses: "",
                **self._learning(session, with_plots=True)}

    def response_page(self, session: UiSession) -> str:
        text = session.transcript.last_response
        return markdown_to_html_page(text, "Samantha: response") if text else ""

    def responses_page(self, session: UiSession) -> str:
        text = "\n\n---\n\n".join(session.transcript.responses)
        return markdown_to_html_page(text, "Samantha: responses") if text else ""
