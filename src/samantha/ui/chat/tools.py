"""The Tools panel: the original Samantha's launch buttons (JupyterLab, a database browser,
D-Tale, an executable packer), the list of the tools this tab started, and Stop tools."""

from __future__ import annotations

import html
import json
import secrets
import threading
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import gradio as gr

from samantha.core.errors import SamanthaError
from samantha.ui.words.table import Text

if TYPE_CHECKING:
    from samantha.workbench.facade import Workbench

# Page script: the Tools list of this tab, asked for every two seconds while it is in view.
PAGE_JS = """
  const toolList = () => document.querySelector('#tools-list .tools-list');
  const toolToken = () => {
    const field = document.querySelector('#live-token textarea, #live-token input');
    return field ? field.value : '';
  };
  const drawTools = (tools) => {
    const list = toolList();
    if (!list) return;
    const words = JSON.parse(list.dataset.texts);
    const shown = JSON.stringify(tools);
    if (list.dataset.shown === shown) return;
    list.dataset.shown = shown;
    list.replaceChildren();
    if (!tools.length) { list.textContent = words.none; return; }
    for (const tool of tools) {
      const row = document.createElement('div');
      row.className = 'tool-row';
      const link = document.createElement('a');
      link.href = tool.url;
      link.target = '_blank';
      link.rel = 'noopener noreferrer';
      link.textContent = tool.name + ' · ' + tool.address;
      const stop = document.createElement('button');
      stop.className = 'tool-stop';
      stop.dataset.tool = tool.id;
      stop.textContent = words.stop;
      row.append(link, ' (' + tool.started + ') ', stop);
      list.append(row);
    }
  };
  const pollTools = () => {
    const list = toolList();
    const token = toolToken();
    if (!list || !list.offsetParent || !token) return;
    fetch(new URL('samantha/tools/' + token, document.baseURI), {cache: 'no-store'})
      .then((answer) => answer.ok ? answer.json() : null)
      .then((tools) => { if (tools) drawTools(tools); })
      .catch(() => {});
  };
  setInterval(pollTools, 2000);
  window.samanthaPollTools = pollTools;
  document.addEventListener('click', (event) => {
    const button = event.target.closest && event.target.closest('.tool-stop');
    if (!button) return;
    button.disabled = true;
    fetch(new URL('samantha/tools/' + toolToken() + '/' + button.dataset.tool + '/stop',
                  document.baseURI), {method: 'POST', headers: {'X-Samantha-Request': 'stop'}})
      .finally(pollTools);
  });
"""
# After a tool starts or stops: the list at once, not at the next poll.
REFRESH = "() => { if (window.samanthaPollTools) window.samanthaPollTools(); }"


class ToolsPanel:
    def __init__(self, bench: Workbench, t: Mapping[str, Text], token_for: Callable[[Any], str],
                 tool_list: Any, publish: Callable[[Any], str]) -> None:
        self.bench, self.t, self.token_for = bench, t, token_for
        self.tool_list = tool_list  # None without a server (build_app in tests)
        self.publish = publish

    def build(self) -> None:
        t = self.t
        with gr.Accordion(t["tools_panel"].label, open=False, elem_id="tools-panel"):
            gr.HTML(f'<div class="tools-hint">{html.escape(t["tools_hint"].label)}</div>')
            with gr.Row():
                self.jupyter = gr.Button(t["tool_jupyter"].label, size="sm",
                                         elem_id="tool-jupyter")
                self.datasette = gr.Button(t["tool_datasette"].label, size="sm",
                                           elem_id="tool-datasette")
                self.stop_all = gr.Button(t["tools_stop"].label, size="sm", variant="stop",
                                          elem_id="tools-stop")
            with gr.Row(equal_height=False):
                self.table = gr.File(label=t["tool_table"].label, file_types=[".csv"],
                                     type="filepath", elem_id="tool-table", scale=2)
                with gr.Column(scale=2):
                    self.written = gr.Dropdown([], label=t["tool_written"].label,
                                               info=t["tool_written"].help,
                                               elem_id="tool-written")
                    self.dtale = gr.Button(t["tool_dtale"].label, size="sm",
                                           elem_id="tool-dtale")
            self.message = gr.HTML(elem_id="tools-message")
            words = html.escape(json.dumps({"none": t["tools_none"].label,
                                            "stop": t["tool_stop"].label},
                                           ensure_ascii=False), quote=True)
            gr.HTML(f'<div class="tools-title">{html.escape(t["tools_list"].label)}</div>'
                    f'<div class="tools-list" data-texts="{words}">'
                    f'{html.escape(t["tools_none"].label)}</div>', elem_id="tools-list")
            self.package = gr.Button(t["tool_package"].label, size="sm",
                                     elem_id="tool-package")
            self.log = gr.Textbox(label=t["tool_log"].label, info=t["tool_log"].help, lines=6,
                                  max_lines=12, interactive=False, elem_id="tool-log")
            self.executable = gr.File(label=t["tool_executable"].label, interactive=False,
                                      elem_id="tool-executable")

    def wire(self, state: Any, code: Any) -> None:
        """The buttons' events; ``state`` is the tab's session, ``code`` the code panel's box."""
        self.jupyter.click(self.open_jupyter, inputs=state, outputs=self.message
                           ).then(None, js=REFRESH)
        self.datasette.click(self.open_datasette, outputs=self.message).then(None, js=REFRESH)
        self.dtale.click(self.open_dtale, inputs=[self.table, self.written],
                         outputs=self.message).then(None, js=REFRESH)
        self.stop_all.click(self.stop_tools, outputs=self.message).then(None, js=REFRESH)
        self.package.click(self.package_code, inputs=code,
                           outputs=[self.log, self.executable, self.message])

    # -- handlers ---------------------------------------------------------------------------------
    def open_jupyter(self, session: Any, request: gr.Request) -> str:
        """JupyterLab on this chat's run as a notebook (the notebooks folder before any run)."""
        return self.open_notebook(getattr(session, "run_id", None), request)

    def open_notebook(self, run_id: Any, request: gr.Request) -> str:
        """JupyterLab on run ``run_id`` as a notebook (the History tab's button too)."""
        from samantha.workbench.handoffs import start_jupyter

        run = None if run_id in (None, "") else int(run_id)
        return self._started(request, lambda: start_jupyter(self.bench, self.bench.toolbox,
                                                            run))

    def open_datasette(self, request: gr.Request) -> str:
        from samantha.workbench.handoffs import start_datasette

        return self._started(request, lambda: start_datasette(self.bench, self.bench.toolbox))

    def open_dtale(self, table: str | None, written: str | None, request: gr.Request) -> str:
        from samantha.workbench.handoffs import start_dtale

        path = table or written
        if not path:
            return self._line(self.t["msg_tool_no_table"].label)
        return self._started(request, lambda: start_dtale(self.bench, self.bench.toolbox,
                                                          Path(path)))

    def stop_tools(self) -> str:
        """Every tool of this Samantha, and those a Samantha that died left running."""
        self.bench.toolbox.stop_all()
        self.bench.toolbox.stop_orphans()
        return self._line(self.t["msg_tools_stopped"].label)

    def package_code(self, code: str) -> Iterator[tuple[str, Any, str]]:
        """PyInstaller on the code panel's Python, its log as it goes, then the executable."""
        from samantha.workbench.handoffs import package

        if not code.strip():
            yield "", None, self._line(f"⚠️ {self.t['msg_no_code'].label}")
            return
        folder = self.bench.home / "tools" / "pyinstaller" / f"code-{secrets.token_hex(4)}"
        folder.mkdir(parents=True, exist_ok=True)
        script = folder / "main.py"
        script.write_text(code, encoding="utf-8")
        lines: list[str] = []
        outcome: dict[str, Any] = {}

        def work() -> None:
            try:
                outcome["path"] = package(self.bench, str(script), folder / "dist",
                                          lines.append)
            except SamanthaError as exc:
                outcome["error"] = exc

        worker = threading.Thread(target=work, name="samantha-package", daemon=True)
        worker.start()
        while worker.is_alive():
            worker.join(1.0)
            yield "\n".join(lines[-200:]), None, ""
        if "error" in outcome:
            yield "\n".join(lines[-200:]), None, self._line(f"⚠️ {outcome['error']}")
            return
        path = outcome["path"]
        yield ("\n".join(lines[-200:]), self.publish(path),
               self._line(self.t["msg_tool_packaged"].label.format(path)))

    def written_tables(self, result: Any) -> Any:
        """The CSV files a code run wrote, for the D-Tale picker."""
        tables = [str(f) for f in getattr(result, "files", ()) if str(f).endswith(".csv")]
        return gr.update(choices=tables, value=tables[0] if tables else None)

    # -- inside -----------------------------------------------------------------------------------
    def _started(self, request: gr.Request, start: Callable[[], Any]) -> str:
        try:
            tool = start()
        except SamanthaError as exc:
            return self._line(f"⚠️ {exc}")
        try:  # a link of this tab's own: it lets this browser in, once
            way_in = (self.bench.toolbox.link(tool.id, tool.page) if self.tool_list is None
                      else self.tool_list.started(self.token_for(request), tool))
        except SamanthaError as exc:
            return self._line(f"⚠️ {exc}")
        link = (f'<a href="{html.escape(way_in.url, quote=True)}" target="_blank" '
                f'rel="noopener noreferrer">{html.escape(tool.url)}</a>')
        return (f'<div class="tools-line">'
                f'{self.t["msg_tool_running"].label.format(html.escape(tool.name), link)}</div>')

    @staticmethod
    def _line(text: str) -> str:
        return f'<div class="tools-line">{html.escape(text)}</div>'
