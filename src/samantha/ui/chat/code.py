"""The code panel: the Python of the last answer (or any pasted code), Run code, and what it
printed, drew and wrote."""

from __future__ import annotations

import dataclasses
from typing import Any, Callable, Mapping

import gradio as gr

from samantha.documents.code_page import code_result_page
from samantha.ui import views
from samantha.ui.words.table import Text

#: How the sandbox's own note begins; the panel's line says it already, in the page's language.
NOTE_HEAD = "Confined by bubblewrap: "


class CodePanel:
    def __init__(self, t: Mapping[str, Text], publish: Callable[[Any], str]) -> None:
        self.t = t
        self.publish = publish  # a figure as a file the UI may show (see ui/serving/published.py)

    def build(self) -> None:
        t = self.t
        with gr.Accordion(t["code_result"].label, open=False, elem_id="code-panel"):
            self.code = gr.Code(label=t["code_box"].label, language="python", lines=8,
                                interactive=True, elem_id="code-box")
            with gr.Row():
                self.run = gr.Button(t["run_code"].label, elem_id="run-code-button")
                self.copy = gr.Button(t["copy_code"].label, size="sm", elem_id="copy-code")
                self.jupyter = gr.Button(t["tool_jupyter"].label, size="sm",
                                         elem_id="code-jupyter")
            self.tool_message = gr.HTML(elem_id="code-tool-message")
            self.isolation = gr.Markdown(elem_id="code-isolation")
            self.result = gr.HTML(elem_id="code-result")
            # the first figure whole, large (contained in the preview), the others beside it
            self.figures = gr.Gallery(label=t["figures"].label, preview=True, height=480,
                                      object_fit="contain", columns=3, fit_columns=False,
                                      buttons=["download", "fullscreen"], elem_id="figures")
            self.files = gr.Textbox(label=t["files"].label, interactive=False, lines=2)

    def isolation_text(self, result: Any) -> str:
        """How far the run was confined, in the interface's language."""
        isolation = getattr(result, "isolation", "")
        if not isolation:
            return ""
        isolated = getattr(result, "isolated", False)
        key = "code_isolated" if isolated else "code_not_isolated"
        mark = "🔒" if isolated else "⚠️"
        note = result.isolation_note.removeprefix(NOTE_HEAD)
        return f"{mark} {self.t[key].label.format(note=note)}"

    @property
    def outputs(self) -> list[Any]:
        return [self.code, self.isolation, self.result, self.figures, self.files]

    def view(self, result: Any, hide: bool) -> dict:
        """A code run's page (unless hidden), its figures (the first one open) and its files.
        The page leaves the sandbox's note out: the line above it says it."""
        page = code_result_page(_without_isolation(result))
        figures = [self.publish(f) for f in result.figures]
        return {self.isolation: self.isolation_text(result),
                self.result: "" if hide else views.iframe(page),
                self.figures: gr.Gallery(figures, selected_index=0 if figures else None),
                self.files: "\n".join(str(f) for f in result.files)}


def _without_isolation(result: Any) -> Any:
    """``result`` without what says how it was confined (a copy; other values as they are)."""
    if dataclasses.is_dataclass(result) and not isinstance(result, type) and "isolation" in {
            f.name for f in dataclasses.fields(result)}:
        return dataclasses.replace(result, isolation="")
    return result
