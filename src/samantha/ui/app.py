"""The web UI: ``build_app(workbench, lang)`` gives the Gradio Blocks; ``launch`` serves them."""

from __future__ import annotations

import os
import signal
import webbrowser
from typing import TYPE_CHECKING, Any

from samantha.documents.trace_html import STYLE as TRACE_STYLE
from samantha.ui.arena.view import CSS as ARENA_CSS
from samantha.ui.chat.tools import PAGE_JS as TOOLS_JS
from samantha.ui.header import CSS as HEADER_CSS
from samantha.ui.header import PAGE_JS as HEADER_JS
from samantha.ui.serving.doors import (
    UPLOAD_LIMIT,
    DoorKeeper,
    Doors,
    allowed_hosts,
    key_page,
    server_key,
)
from samantha.ui.serving.live import PAGE_JS as LIVE_JS
from samantha.ui.serving.live import LiveText
from samantha.ui.serving.microphone import PAGE_JS as LISTENING_JS
from samantha.ui.serving.microphone import VoiceInput
from samantha.ui.serving.published import PublishedFiles
from samantha.ui.serving.runs import ActiveRuns
from samantha.ui.serving.tool_list import ToolList
from samantha.ui.words.table import texts
from samantha.ui.words.wording import status_text

if TYPE_CHECKING:
    from samantha.workbench.facade import Workbench

# Enter anywhere in the Chat tab starts (Shift+Enter is a new line; the code editor keeps Enter),
# the dark theme is the default, and the answer streams in through the tab's live stream.
LAUNCH_JS = """
() => {
  if (window.samanthaPageReady) window.samanthaPageReady();  // see page_script.py
""" + LIVE_JS + HEADER_JS + LISTENING_JS + TOOLS_JS + """
  if (!new URLSearchParams(window.location.search).has('__theme')) {
    document.body.classList.add('dark');
  }
  document.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter' || event.isComposing) return;
    const target = event.target;
    if (!target || !target.closest || !target.closest('#chat-tab')) return;
    if (target.closest('#code-box') || target.closest('#what-if')
        || target.tagName === 'BUTTON') return;  // their Enter is their own
    if (event.shiftKey) {  // a new line: keep the textarea's own behaviour, nothing else
      event.stopPropagation();
      return;
    }
    event.preventDefault();
    event.stopPropagation();
    const start = document.querySelector('#start-button');
    if (start) start.click();
  }, true);
  // A click on a candidate branches from it: in the History tab's trace viewer, and in the
  // Chat tab's learning panel.
  const branchFrom = [['#trace-candidates', '#branch-token', '#branch-button'],
                      ['#candidates', '#chat-branch-token', '#chat-branch-button']];
  document.addEventListener('click', (event) => {
    if (!event.target.closest) return;
    for (const [table, field, button] of branchFrom) {
      const row = event.target.closest(`${table} tr[data-token]`);
      const box = document.querySelector(`${field} input`);
      if (!row || !box) continue;
      box.value = row.dataset.token;
      box.dispatchEvent(new Event('input', {bubbles: true}));
      setTimeout(() => document.querySelector(button).click(), 150);
      return;
    }
  });
  // Gradio submits a multi-line textbox on Shift+Enter (keypress): keep it a new line.
  document.addEventListener('keypress', (event) => {
    if (event.key === 'Enter' && event.shiftKey && event.target.closest
        && event.target.closest('#chat-tab')) event.stopPropagation();
  }, true);
}
"""

CSS = """
#output textarea { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 13px; }
table.candidates { width: 100%; border-collapse: collapse; font-size: 13px;
  font-family: ui-monospace, SFMono-Regular, Menlo, monospace; }
table.candidates th, table.candidates td { padding: 2px 8px !important; text-align: left;
  border: none !important; border-bottom: 1px solid var(--border-color-primary) !important; }
table.candidates tr.chosen { background: rgba(228, 87, 46, 0.25); font-weight: bold; }
#plan-line p { margin: 0; font-size: 13px; opacity: 0.85; }
#voice-heard .voice-hint, .tools-hint { font-size: 12px; opacity: 0.8; }
#tools-list .tools-title { font-weight: bold; font-size: 13px; }
#tools-list .tool-row { font-size: 13px; margin: 2px 0; }
#tools-list .tool-stop { margin-left: 8px; padding: 0 8px; font-size: 12px; border: 1px solid
  var(--border-color-primary); border-radius: 4px; }
#voice-heard .voice-line { font-weight: bold; min-height: 1.3em; margin-top: 4px; }
.samantha-hidden { display: none !important; }
.gradio-container { max-width: 1600px !important; padding-top: 6px !important; }
#trace-candidates tr[data-token], #candidates tr[data-token] { cursor: pointer; }
.side-by-side mark { color: #111; background: #ffd54f; }  /* readable in the dark theme */
/* learning mode's live panel: a box of its own size, so that the page script's updates
   (once a second) lay out and repaint only this box, not the page */
#live-learning .live-learning:not(:empty) { height: 330px; overflow: hidden; contain: strict; }
/* learning mode's tables and charts: not laid out nor painted while scrolled out of view (the
   page's updates during an answer would otherwise lay them out again). Not the coloured
   answers: that containment would clip the candidates a hovered token shows below it. */
#stage-table, #what-if-table, #probabilities, #ranks, #entropy,
#trace-stage-table { content-visibility: auto; contain-intrinsic-size: auto 300px; }
#answer-tokens, #trace-answer-tokens { overflow: visible !important; position: relative;
  z-index: 50; }  /* a hovered token's candidates show over what follows (labels are at 40) */
/* the stage table and the coloured answer (samantha.documents.trace_html) */
/* No animated "generating" borders: on a 2-core computer the browser's repaints would take
   time from the model. */
.generating, .pending { animation: none !important; transition: none !important; }
* { animation: none !important; transition: none !important; }
""" + HEADER_CSS + TRACE_STYLE + ARENA_CSS


def build_app(bench: Workbench, lang: str = "en", live: LiveText | None = None,
              runs: ActiveRuns | None = None, files: PublishedFiles | None = None,
              tool_list: ToolList | None = None, first_model: str | None = None) -> Any:
    import gradio as gr

    from samantha.ui.arena.tab import ArenaTab
    from samantha.ui.chat.tab import ChatTab
    from samantha.ui.header import Header
    from samantha.ui.history.tab import HistoryTab
    from samantha.ui.models.tab import ModelsTab

    t = texts(lang)
    files = files or PublishedFiles()
    with gr.Blocks(title="Samantha", analytics_enabled=False) as demo:
        header = Header(t)
        header.build()
        with gr.Tabs():
            with gr.Tab(t["chat_tab"].label, elem_id="chat-tab"):
                chat = ChatTab(bench, t, header, live, runs, lang, files, tool_list, first_model)
                chat.build()
            with gr.Tab(t["history_tab"].label, elem_id="history-tab") as history_tab:
                history = HistoryTab(bench, t, files.publish, lang, chat.tools)
                history.build()
            with gr.Tab(t["arena_tab"].label, elem_id="arena-tab") as arena_tab:
                arena = ArenaTab(bench, t, lang)
                arena.build()
            with gr.Tab(t["models_tab"].label, elem_id="models-tab") as models_tab:
                models = ModelsTab(bench, t, lang)
                models.build(chat.models, chat.models_panel.pick)
        demo.load(chat.page_token, outputs=chat.live_token, queue=False,
                  show_progress="hidden")
        demo.unload(chat.tab_closed)  # a step-by-step run of a closed tab ends
        history_tab.select(history.rows, inputs=history.search, outputs=history.runs)
        arena_tab.select(arena.refresh_runs, outputs=arena.runs)
        models_tab.select(models.rows, outputs=models.table)
    return demo


# On Linux, Gradio's queue looks for new events every millisecond and for progress to send every
# 10 ms: 1,100 wake-ups a second of the server's event loop, each taking Python's lock from the
# thread that picks the next token. That is 3% of a core while idle, and a few percent of learning
# mode's speed on two cores. A new event now waits up to 20 ms longer; this UI sends no Gradio
# progress (downloads and runs report through their own views).
QUEUE_POLL = 0.02
PROGRESS_POLL = 0.1


def queued(demo: Any) -> Any:
    """``demo`` with its queue: four events of a function at once, polled at human rather than
    machine pace."""
    demo.queue(default_concurrency_limit=4)
    queue = demo._queue
    queue.sleep_when_free = max(queue.sleep_when_free, QUEUE_POLL)
    queue.progress_update_sleep_when_free = max(queue.progress_update_sleep_when_free,
                                                PROGRESS_POLL)
    return demo


def launch(bench: Workbench, lang: str, host: str, port: int, password: str | None,
           open_browser: bool, allowed: tuple[str, ...] = (), model: str | None = None) -> None:
    import gradio as gr
    from starlette.middleware import Middleware

    from samantha.ui.serving.login import LoginThrottle
    from samantha.ui.serving.page_script import FRAME_LEAK_FIX, HeadScript

    live = LiveText()
    t = texts(lang)
    runs = ActiveRuns(lambda progress: status_text(progress, t, lang))
    # Gradio serves its upload folder: this server gets a private one (see ui/serving/published.py)
    files = PublishedFiles.for_this_process()
    os.environ["GRADIO_TEMP_DIR"] = str(files.root)
    voice = VoiceInput(bench.hearing, live.knows, lang)
    tools = ToolList(lambda: bench.toolbox, live.knows)
    tools.stop_orphans()  # left running by a Samantha of this data home that died
    demo = queued(build_app(bench, lang, live, runs, files, tools, model))
    doors = door_policy(bench.home, host, port, password is not None, allowed, files)
    demo.launch(server_name=host, server_port=port, auth=("samantha", password) if password
                else None, prevent_thread_lock=True, js=LAUNCH_JS, css=CSS,
                theme=gr.themes.Soft(font=["ui-sans-serif", "system-ui", "sans-serif"],
                                     font_mono=["ui-monospace", "monospace"]),
                footer_links=[], quiet=True, show_error=True,
                allowed_paths=[],  # nothing but what the tabs were shown (ui/serving/published.py)
                max_file_size=UPLOAD_LIMIT, ssr_mode=False, num_workers=0, mcp_server=False,
                enable_monitoring=False, strict_cors=True,
                app_kwargs={"middleware": [door_keeper(doors, t),
                                           Middleware(HeadScript, script=FRAME_LEAK_FIX),
                                           Middleware(LoginThrottle)],
                            "routes": [live.route(), voice.route(), *runs.routes(),
                                       *tools.routes()],
                            "docs_url": None, "redoc_url": None, "openapi_url": None})
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    url = f"http://{shown}:{port}/"
    print(f"Samantha is running on {doors.entry_url(url)} (Ctrl+C to stop)", flush=True)
    if open_browser:
        webbrowser.open(doors.entry_url(url) + "&__theme=dark")
    # SIGTERM ends the server as Ctrl+C does: the tools it started stop with it
    signal.signal(signal.SIGTERM, _exit_on_signal)
    try:
        demo.block_thread()
    finally:
        bench.close()
        files.close()


def door_policy(home: Any, host: str, port: int, password: bool, allowed: tuple[str, ...],
                files: PublishedFiles) -> Doors:
    """Who this server answers (see ui/serving/doors.py)."""
    hosts, any_ip = allowed_hosts(host, allowed)
    return Doors(hosts, any_ip, server_key(home), port, password, str(files.root))


def door_keeper(doors: Doors, t: Any) -> Any:
    """The middleware that checks every request against ``doors``, the outermost of ours."""
    from starlette.middleware import Middleware

    from samantha.ui.serving.login import gradio_log_in, gradio_logged_in

    def page(kind: str) -> str:
        return key_page(t["key_needed"].label, t["key_needed"].help, t["key_field"].label,
                        t["key_open"].label, t["key_wrong"].label if kind == "wrong" else "")

    return Middleware(DoorKeeper, doors=doors, logged_in=gradio_logged_in,
                      log_in=gradio_log_in, page=page)


def _exit_on_signal(signum: int, frame: Any) -> None:
    raise SystemExit(0)
