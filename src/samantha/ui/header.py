"""The header above every tab: the product's name, the model of the next run, this tab's status
line, the Runs list (every run in progress in this server, with a Stop for each) and the Help
switch.

The status line and the Runs list live in an element Gradio renders once and never updates;
the page script writes them (the status from the tab's live stream, the runs from
``/samantha/runs`` every two seconds, and at once when this tab's run starts or ends, so a
finished run never stays listed beside "Run finished."), so keeping them current costs no
Gradio update.
"""

from __future__ import annotations

import html
import json
from typing import Mapping

import gradio as gr

from samantha.ui.words.table import Text

# Page script: the Help switch, the (?) tooltips, the status line and the Runs list.
PAGE_JS = """
  const texts = () => JSON.parse(document.querySelector('#samantha-runs').dataset.texts);
  window.samanthaStatus = (text) => {
    const line = document.querySelector('#samantha-status');
    if (line && line.textContent !== text) line.textContent = text;
  };
  // Help on demand: a tooltip for every name marked with (?); the Help switch shows them all.
  const tip = document.createElement('div');
  tip.id = 'samantha-tip';
  tip.setAttribute('role', 'tooltip');
  document.body.append(tip);
  const helpOf = (target) => {
    if (!target.closest) return null;
    const name = target.closest('[data-testid="block-info"].has-info, .label-text');
    const block = name && name.closest('.block');
    return block ? block.querySelector('.info-text') : null;
  };
  document.addEventListener('mouseover', (event) => {
    const help = helpOf(event.target);
    if (!help || document.body.classList.contains('samantha-help')) {
      tip.style.display = 'none';
      return;
    }
    tip.textContent = help.textContent;
    tip.style.display = 'block';
    const box = event.target.closest('[data-testid="block-info"], .label-text')
      .getBoundingClientRect();
    const width = Math.min(420, window.innerWidth - 16);
    tip.style.left = Math.max(8, Math.min(box.left, window.innerWidth - width - 8)) + 'px';
    const below = box.bottom + 6;
    tip.style.top = (below + tip.offsetHeight < window.innerHeight ? below
                     : Math.max(8, box.top - tip.offsetHeight - 6)) + 'px';
  });
  const showHelp = (on) => {
    document.body.classList.toggle('samantha-help', on);
    const button = document.querySelector('#samantha-help-switch');
    if (button) button.setAttribute('aria-pressed', on ? 'true' : 'false');
    try { localStorage.setItem('samantha-help', on ? '1' : ''); } catch (e) {}
  };
  document.addEventListener('click', (event) => {
    if (event.target.closest && event.target.closest('#samantha-help-switch')) {
      showHelp(!document.body.classList.contains('samantha-help'));
    }
  });
  try { if (localStorage.getItem('samantha-help') === '1') showHelp(true); } catch (e) {}
  // The Runs list: every run in progress in this server, whichever tab started it. When the
  // same runs are listed again, only their status texts change (no new elements).
  let runsShown = null;
  const drawRuns = (runs) => {
    const list = document.querySelector('#samantha-runs');
    if (!list) return;
    const ids = runs.map((run) => run.id + (run.stopping ? 's' : '')).join(',');
    if (ids === runsShown) {
      runs.forEach((run, i) => {
        const status = list.children[i] && list.children[i].querySelector('.samantha-run-status');
        const text = ' · ' + run.status;
        if (status && status.textContent !== text) status.textContent = text;
      });
      return;
    }
    runsShown = ids;
    const words = texts();
    list.replaceChildren();
    if (!runs.length) {
      const none = document.createElement('span');
      none.className = 'samantha-run-none';
      none.textContent = words.none;
      list.append(none);
    }
    for (const run of runs) {
      const row = document.createElement('span');
      row.className = 'samantha-run';
      row.dataset.run = run.id;
      const label = document.createElement('span');
      label.className = 'samantha-run-title';
      label.textContent = '#' + run.id + ' ' + run.title;
      label.title = run.title + ' (' + run.models.join(', ') + ')';
      const status = document.createElement('span');
      status.className = 'samantha-run-status';
      status.textContent = ' · ' + run.status;
      const stop = document.createElement('button');
      stop.className = 'samantha-run-stop';
      stop.textContent = run.stopping ? words.stopping : words.stop;
      stop.disabled = run.stopping;
      stop.addEventListener('click', () => {
        stop.disabled = true;
        fetch(new URL('samantha/runs/' + run.id + '/stop', document.baseURI),
              {method: 'POST', headers: {'X-Samantha-Request': 'stop'}}).then(pollRuns);
      });
      row.append(label, status, stop);
      list.append(row);
    }
  };
  const pollRuns = () => fetch(new URL('samantha/runs', document.baseURI), {cache: 'no-store'})
    .then((answer) => answer.ok ? answer.json() : null)
    .then((runs) => { if (runs) drawRuns(runs); })
    .catch(() => {});
  window.samanthaPollRuns = pollRuns;  // the live stream asks at a run's start and end
  pollRuns();
  setInterval(pollRuns, 2000);
"""

CSS = """
#samantha-header { align-items: center; gap: 12px; margin-bottom: 2px; }
#samantha-header > div { padding: 0 !important; }
#samantha-title h1 { font-size: 22px; margin: 0; line-height: 1.2; }
#samantha-title .tagline { opacity: 0.7; font-size: 12px; }
#output-actions button { font-size: 12px; padding: 2px 4px; }
#model-in-use p { margin: 0; font-size: 13px; }
#samantha-live { font-size: 13px; }
#samantha-live .live-row { display: flex; gap: 14px; align-items: baseline;
  justify-content: space-between; }
#samantha-status { font-weight: 600; }
#samantha-live .runs-row { margin-top: 2px; opacity: 0.9; }
.samantha-run { display: inline-flex; align-items: baseline; max-width: 100%; margin-right: 10px; }
.samantha-run-title { max-width: 14em; overflow: hidden; text-overflow: ellipsis;
  white-space: nowrap; }
.samantha-run-status { white-space: nowrap; }
.samantha-run-stop { margin-left: 6px; padding: 0 8px; border-radius: 4px; font-size: 12px;
  border: 1px solid var(--border-color-primary);
  background: var(--button-secondary-background-fill); }
#samantha-help-switch { margin-left: 12px; padding: 1px 10px; border-radius: 10px; font-size: 13px;
  border: 1px solid var(--border-color-primary); }
body.samantha-help .gradio-container #samantha-help-switch { background: var(--color-accent);
  color: white; }
/* Help on demand: names with help get a mark, their help shows on pointing or with Help.
   (Gradio also writes each rule under .gradio-container .contain: the Help rule outweighs it.) */
.info-text { display: none !important; }
body.samantha-help .gradio-container .contain .info-text { display: block !important; }
[data-testid="block-info"].has-info::after, .block:has(> .info-text) .label-text::after {
  content: "?"; display: inline-block; width: 14px; height: 14px; line-height: 13px;
  margin-left: 5px; border: 1px solid currentColor; border-radius: 50%; font-size: 10px;
  font-weight: bold; text-align: center; vertical-align: 1px; opacity: 0.6; cursor: help; }
#samantha-tip { display: none; position: fixed; z-index: 1000; max-width: 420px; padding: 8px 10px;
  border-radius: 6px; font-size: 13px; line-height: 1.4; pointer-events: none;
  background: var(--background-fill-secondary); color: var(--body-text-color);
  border: 1px solid var(--border-color-primary); box-shadow: 0 4px 14px rgba(0, 0, 0, 0.35); }
button { white-space: nowrap; }
"""


class Header:
    def __init__(self, t: Mapping[str, Text]) -> None:
        self.t = t

    def build(self) -> None:
        t = self.t
        with gr.Row(elem_id="samantha-header", equal_height=True):
            gr.HTML(f'<h1>Samantha</h1><div class="tagline">{html.escape(t["app_tagline"].label)}'
                    "</div>", elem_id="samantha-title", scale=5)
            self.model = gr.Markdown(self.model_line(["default"]), elem_id="model-in-use",
                                     scale=2)
            gr.HTML(self._live_html(), elem_id="samantha-live", scale=5)

    def _live_html(self) -> str:
        t = self.t
        words = {"none": t["runs_none"].label, "stop": t["runs_stop"].label,
                 "stopping": t["runs_stopping"].label}
        data = html.escape(json.dumps(words, ensure_ascii=False), quote=True)
        return (
            '<div class="live-row">'
            f'<span id="samantha-status" aria-live="polite">{html.escape(t["status_ready"].label)}'
            "</span>"
            f'<button id="samantha-help-switch" aria-pressed="false" '
            f'title="{html.escape(t["help_toggle"].help, quote=True)}">'
            f'{html.escape(t["help_toggle"].label)}</button></div>'
            f'<div class="runs-row" title="{html.escape(t["runs_list"].help, quote=True)}">'
            f'{html.escape(t["runs_list"].label)}: '
            f'<span id="samantha-runs" data-texts="{data}"></span></div>')

    def model_line(self, models: list[str]) -> str:
        """``**Model:** default`` (the first model of the next run, and how many others); for
        the bundled default model, a line on what it does."""
        if not models:
            models = ["default"]
        key = "model_in_use" if len(models) == 1 else "models_in_use"
        shown = ", ".join(f"`{name.rsplit('/', 1)[-1]}`" for name in models[:3])
        more = f" +{len(models) - 3}" if len(models) > 3 else ""
        line = f"**{self.t[key].label}:** {shown}{more}"
        only = [name.strip().lower() for name in models]
        if only in (["default"], ["smollm2"]):  # a bundled model: what it is good for
            line += f"  \n{self.t[f'model_{only[0]}_hint'].label}"
        return line
