"""The Models tab's remote backends: the ones added (backends.json), Add and check, Remove. A
backend added here joins the "Add a model" list as MODEL@NAME for each model it serves."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping

import gradio as gr

from samantha.core.backend_specs import KINDS, BackendSpec
from samantha.core.errors import SamanthaError
from samantha.ui.words.table import Text

if TYPE_CHECKING:
    from samantha.workbench.facade import Workbench


class BackendsSection:
    def __init__(self, bench: Workbench, t: Mapping[str, Text]) -> None:
        self.bench = bench
        self.t = t

    def build(self, model_pick: gr.Dropdown, choices: Any) -> None:
        t = self.t
        gr.Markdown(f"### {t['backends'].label}\n{t['backends'].help}",
                    elem_id="backends-intro")
        self.table = gr.Dataframe(headers=t["backend_headers"].label.split("|"),
                                  value=self.rows(), interactive=False, max_height=200,
                                  elem_id="backend-table")
        with gr.Row():
            self.name = gr.Textbox(label=t["backend_name"].label, info=t["backend_name"].help,
                                   scale=1, elem_id="backend-name")
            self.url = gr.Textbox(label=t["backend_url"].label, info=t["backend_url"].help,
                                  scale=3, elem_id="backend-url")
            self.kind = gr.Dropdown(["auto", *KINDS], value="auto", label=t["backend_kind"].label,
                                    info=t["backend_kind"].help, scale=1, elem_id="backend-kind")
            self.key_env = gr.Textbox(label=t["backend_key_env"].label,
                                      info=t["backend_key_env"].help, scale=1,
                                      elem_id="backend-key-env")
        with gr.Row():
            self.add = gr.Button(t["backend_add"].label, variant="primary", scale=1,
                                 elem_id="backend-add")
            self.remove = gr.Button(t["backend_remove"].label, scale=1, elem_id="backend-remove")
        self.status = gr.Markdown(elem_id="backend-status")
        fields = [self.name, self.url, self.kind, self.key_env]
        self.add.click(self.add_backend, inputs=fields, outputs=[self.status, self.table]).then(
            choices, outputs=model_pick)
        self.remove.click(self.remove_backend, inputs=self.name,
                          outputs=[self.status, self.table]).then(choices, outputs=model_pick)

    def rows(self) -> list[list[str]]:
        try:
            specs = self.bench.remotes.specs()
        except SamanthaError:
            return []
        return [[name, s.url, s.kind, s.api_key_env or ""] for name, s in specs.items()]

    def add_backend(self, name: str, url: str, kind: str, key_env: str) -> tuple[str, Any]:
        try:
            spec = BackendSpec((name or "").strip(), (url or "").strip(), kind or "auto",
                               (key_env or "").strip() or None)
            info = self.bench.remotes.check(spec)
            self.bench.remotes.save(BackendSpec(spec.name, spec.url, info.kind,
                                                spec.api_key_env))
        except SamanthaError as exc:
            return f"⚠️ {exc}", gr.skip()
        example = f"{info.models[0]}@{spec.name}" if info.models else f"MODEL@{spec.name}"
        return ("✅ " + self.t["msg_backend_added"].label.format(
            name=spec.name, kind=info.kind, models=", ".join(info.models) or "—",
            example=example, learning=info.learning)), self.rows()

    def remove_backend(self, name: str) -> tuple[str, Any]:
        try:
            self.bench.remotes.remove((name or "").strip())
        except SamanthaError as exc:
            return f"⚠️ {exc}", gr.skip()
        return self.t["msg_backend_removed"].label.format(name=name.strip()), self.rows()
