"""The voice panel: Read aloud, Read answers aloud, the start and end Sounds and the voice;
the microphone (Listen) with its Vosk model."""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any, Callable, Mapping

import gradio as gr

from samantha.core.errors import SamanthaError
from samantha.ui.chat.options import checkbox
from samantha.ui.words.table import Text
from samantha.voice.text_to_speech import Speaker, speech_file

MESSAGES = ("no_model", "no_microphone", "listening", "heard", "not_command", "closed")


class VoicePanel:
    def __init__(self, home: Any, t: Mapping[str, Text], lang: str,
                 publish: Callable[[Any], str], hearing: Any) -> None:
        self.home = home
        self.t = t
        self.lang = lang
        self.publish = publish
        self.speaker = Speaker()
        self.hearing = hearing

    def build(self) -> None:
        t = self.t
        try:
            voices = [(f"{v.name} ({v.id})", v.id) for v in self.speaker.voices()]
            default = self.speaker.voice_for(self.lang)
        except SamanthaError:  # no speech engine here: the button says why when pressed
            voices, default = [], None
        with gr.Accordion(t["voice_panel"].label, open=False, elem_id="voice-panel"):
            with gr.Row(equal_height=False):
                self.read = gr.Button(t["read_aloud"].label, size="sm", elem_id="read-aloud",
                                      scale=1)
                self.auto_read = checkbox(t, "auto_read")
                # played by the page (live.py); no event reads it, so Gradio would lock it
                self.sounds = checkbox(t, "sounds", value=True, interactive=True)
                self.voice = gr.Dropdown(voices, value=default, label=t["voice"].label,
                                         info=t["voice"].help, scale=2, elem_id="voice")
            self.speech = gr.Audio(label=t["speech"].label, autoplay=True, interactive=False,
                                   elem_id="speech")
            self._build_listening()

    def _build_listening(self) -> None:
        t = self.t
        names = self.model_names()
        with gr.Row(equal_height=False):
            # pressed and handled by the page script (serving/microphone.py): the sound never goes
            # through Gradio
            gr.Button(t["listen"].label, size="sm", elem_id="listen-button", scale=1)
            self.voice_model = gr.Dropdown(names, value=names[0] if names else None,
                                           label=t["voice_model"].label,
                                           info=t["voice_model"].help, scale=2,
                                           elem_id="voice-model")
        self.heard = gr.HTML(self.heard_html(), elem_id="voice-heard")
        with gr.Row(equal_height=True):
            self.model_folder = gr.Textbox(label=t["voice_model_folder"].label,
                                           info=t["voice_model_folder"].help, scale=4,
                                           elem_id="voice-model-folder")
            self.add = gr.Button(t["voice_add"].label, size="sm", elem_id="voice-add", scale=1)
        self.add.click(self.add_model, inputs=self.model_folder,
                       outputs=[self.voice_model, self.heard])
        self.voice_model.input(self.use_model, inputs=self.voice_model)

    def model_names(self) -> list[str]:
        try:
            return [model.name for model in self.hearing.models()]
        except SamanthaError:  # a bad preferences file: said where the models are used
            return []

    def heard_html(self, line: str = "") -> str:
        """The hint under Listen, and the line the page script writes what it heard into."""
        t = self.t
        messages = {key: t[f"msg_voice_{key}"].label for key in MESSAGES}
        messages["stop"], messages["listen"] = t["listen_stop"].label, t["listen"].label
        data = html.escape(json.dumps(messages, ensure_ascii=False), quote=True)
        return (f'<div class="voice-heard" data-texts="{data}"><div class="voice-hint">'
                f'{html.escape(t["listen"].help)}</div><div class="voice-line" '
                f'aria-live="polite">{html.escape(line)}</div></div>')

    def add_model(self, folder: str) -> tuple[Any, str]:
        try:
            model = self.hearing.add(Path(folder.strip()))
        except SamanthaError as exc:
            return gr.update(), self.heard_html(f"⚠️ {exc}")
        names = self.model_names()
        return gr.update(choices=names, value=model.name), \
            self.heard_html(self.t["msg_voice_added"].label.format(model.name))

    def use_model(self, name: str | None) -> None:
        if name:
            self.hearing.use(name)

    def say(self, text: str, voice: str | None) -> tuple[str | None, str | None]:
        """The text spoken into a file for the audio player, or why it cannot be."""
        try:
            path = self.speaker.save(text, speech_file(self.home / "speech"), voice)
            return self.publish(path), None
        except SamanthaError as exc:
            return None, f"⚠️ {exc}"
