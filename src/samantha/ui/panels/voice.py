"""The voice panel: Read aloud, Read answers aloud, the start and end Sounds and the voice."""

from __future__ import annotations

from typing import Any, Callable, Mapping

import gradio as gr

from samantha.core.errors import SamanthaError
from samantha.ui.panels.options import checkbox
from samantha.ui.texts import Text
from samantha.voice.speech import Speaker, speech_file


class VoicePanel:
    def __init__(self, home: Any, t: Mapping[str, Text], lang: str,
                 publish: Callable[[Any], str]) -> None:
        self.home = home
        self.t = t
        self.lang = lang
        self.publish = publish
        self.speaker = Speaker()

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

    def say(self, text: str, voice: str | None) -> tuple[str | None, str | None]:
        """The text spoken into a file for the audio player, or why it cannot be."""
        try:
            path = self.speaker.save(text, speech_file(self.home / "speech"), voice)
            return self.publish(path), None
        except SamanthaError as exc:
            return None, f"⚠️ {exc}"
