"""The microphone of a browser tab: its sound, recorded by the page as 16-bit mono PCM at
16 kHz, comes in ``POST /samantha/voice/<token>`` a few times a second, and each answer says
what the utterances that ended meanwhile said and asked. Vosk runs here, so the server needs
no ffmpeg; the page acts on the commands (it presses the buttons a user would).

A tab's listener lives from its first piece of sound to its last (``?end=1``) or until it has
been quiet for :data:`IDLE` seconds. The token is the tab's own secret (see ``live.py``): no
other tab, nor another site's page, can speak into it.
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any, Callable

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from samantha.core.errors import SamanthaError
from samantha.ui.serving.live import logged_in

PATH = "/samantha/voice/{token}"
# What each command presses on the page.
BUTTONS = {"start": "#start-button", "stop": "#stop-next-button", "next": "#stop-next-button",
           "stop_all": "#stop-all-button", "read": "#read-aloud", "clean": "#clean-button"}
LONGEST = 16000 * 2 * 30  # bytes in one request: 30 s of sound
IDLE = 120.0  # seconds without sound before a tab's listener is dropped


# Page script: Listen records the microphone at 16 kHz, sends what it heard every half second,
# and acts on the commands that come back.
PAGE_JS = """
  let voice = null;
  const voiceBox = () => document.querySelector('#voice-heard .voice-heard');
  const voiceText = (key) => JSON.parse(voiceBox().dataset.texts)[key];
  const voiceSay = (text) => {
    const line = document.querySelector('#voice-heard .voice-line');
    if (line) line.textContent = text;
  };
  const listenLabel = (key) => {
    const button = document.querySelector('#listen-button');
    if (button) button.textContent = voiceText(key);
  };
  const press = (selector) => {
    const button = document.querySelector(selector);
    if (button && !button.disabled) button.click();
  };
  const voiceAct = (heard, commands) => {
    for (const one of heard) {
      const command = one.command;
      voiceSay(voiceText('heard').replace('{}', one.text));
      if (command.kind === 'prompt') {
        const box = document.querySelector('#user-prompt textarea');
        box.value = command.prompt;
        box.dispatchEvent(new Event('input', {bubbles: true}));
        setTimeout(() => press('#start-button'), 300);  // once Gradio has the new prompt
      } else if (command.kind === 'action' && command.name === 'close') {
        listenStop(false);
        voiceSay(voiceText('heard').replace('{}', one.text) + ' · ' + voiceText('closed'));
      } else if (command.kind === 'action') {
        press(BUTTONS[command.name]);
      } else if (command.kind === 'unknown') {
        voiceSay(voiceText('not_command').replace('{}', one.text).replace('{}', commands));
      }
    }
  };
  const voiceSend = async (end) => {
    if (!voice || (voice.busy && !end)) return;
    while (voice.busy) await new Promise((done) => setTimeout(done, 50));
    const current = voice;
    current.busy = true;
    const chunks = current.pending.splice(0);
    const sound = new Int16Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
    let at = 0;
    for (const chunk of chunks) { sound.set(chunk, at); at += chunk.length; }
    const url = new URL('samantha/voice/' + current.token, document.baseURI);
    url.searchParams.set('model', current.model);
    url.searchParams.set('rate', String(current.rate));
    if (end) url.searchParams.set('end', '1');
    try {
      const answer = await fetch(url, {method: 'POST', body: sound.buffer,
                                       headers: {'Content-Type': 'application/octet-stream'}});
      const data = await answer.json();
      if (data.error) { listenStop(false); voiceSay('⚠️ ' + data.error); }
      else voiceAct(data.heard, data.commands);
    } catch (error) {
      listenStop(false);
      voiceSay('⚠️ ' + error);
    }
    current.busy = false;
  };
  const listenStop = (send) => {
    const current = voice;
    if (!current) return;
    clearInterval(current.timer);
    current.node.disconnect();
    current.stream.getTracks().forEach((track) => track.stop());
    if (send) voiceSend(true).then(() => current.context.close());
    else current.context.close();
    voice = null;
    listenLabel('listen');
  };
  const listenStart = async () => {
    const field = document.querySelector('#voice-model input');
    const token = document.querySelector('#live-token textarea, #live-token input');
    if (!field || !field.value) { voiceSay(voiceText('no_model')); return; }
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({audio: {
        channelCount: 1, echoCancellation: false, noiseSuppression: false,
        autoGainControl: false}});
    } catch (error) {
      voiceSay(voiceText('no_microphone').replace('{}', String(error && error.message)));
      return;
    }
    const context = new AudioContext({sampleRate: 16000});
    const source = context.createMediaStreamSource(stream);
    const node = context.createScriptProcessor(4096, 1, 1);
    const pending = [];
    node.onaudioprocess = (event) => {
      const samples = event.inputBuffer.getChannelData(0);
      const out = new Int16Array(samples.length);
      for (let i = 0; i < samples.length; i++) {
        const value = Math.max(-1, Math.min(1, samples[i]));
        out[i] = value < 0 ? value * 0x8000 : value * 0x7fff;
      }
      pending.push(out);
    };
    source.connect(node);
    node.connect(context.destination);  // silent: the processor writes nothing out
    voice = {stream, context, node, pending, busy: false, token: token ? token.value : '',
             model: field.value, rate: context.sampleRate};
    voice.timer = setInterval(() => voiceSend(false), 500);
    listenLabel('stop');
    voiceSay(voiceText('listening'));
  };
  document.addEventListener('click', (event) => {
    if (!event.target.closest || !event.target.closest('#listen-button')) return;
    if (voice) listenStop(true); else listenStart();
  });
""".replace("BUTTONS", json.dumps(BUTTONS))


class VoiceInput:
    """The listeners of the tabs that are listening, by their token."""

    def __init__(self, hearing: Any, known: Callable[[str], bool], language: str) -> None:
        self.hearing, self.known, self.language = hearing, known, language
        self._listeners: dict[str, tuple[Any, str, float]] = {}  # token -> listener, key, when
        self._lock = threading.Lock()

    def route(self) -> Route:
        return Route(PATH, self.endpoint, methods=["POST"])

    async def endpoint(self, request: Request) -> Response:
        if not logged_in(request):
            return PlainTextResponse("Log in to Samantha first.", status_code=401)
        token = request.path_params["token"]
        if not self.known(token):
            return PlainTextResponse("Not a tab of this server.", status_code=403)
        body = await bounded_body(request, LONGEST)
        if body is None or len(body) % 2:
            return JSONResponse({"error": "Send 16-bit mono sound, at most 30 s at a time."},
                                status_code=400)
        query = request.query_params
        try:
            rate = int(query.get("rate", "16000"))
            if not 8000 <= rate <= 96000:
                raise ValueError(rate)
        except ValueError:
            return JSONResponse({"error": "rate must be a sample rate in Hz (8000 to 96000)."},
                                status_code=400)
        try:
            heard, commands = await run_in_threadpool(
                self.hear, token, query.get("model") or None, rate, body, query.get("end") == "1")
        except SamanthaError as exc:
            return JSONResponse({"error": str(exc)}, status_code=422)
        return JSONResponse({"heard": heard, "commands": commands},
                            headers={"Cache-Control": "no-store"})

    def hear(self, token: str, name: str | None, rate: int, pcm: bytes, end: bool
             ) -> tuple[list[dict], str]:
        """What the utterances that ended in ``pcm`` said (and, with ``end``, the last one),
        and the command phrases the listener knows (for the page's hint)."""
        listener = self._listener(token, name, rate)
        heard = listener.accept(pcm)
        if end:
            heard += listener.finish()
            with self._lock:
                self._listeners.pop(token, None)
        words = listener.vocabulary
        phrases = ", ".join(options[0] for options in words.phrases.values()) if words else ""
        return [one.to_dict() for one in heard], phrases

    def _listener(self, token: str, name: str | None, rate: int) -> Any:
        key = f"{name}@{rate}"
        now = time.monotonic()
        with self._lock:
            for other, (_, _, when) in list(self._listeners.items()):
                if now - when > IDLE:
                    del self._listeners[other]
            entry = self._listeners.get(token)
        if entry is None or entry[1] != key:
            model = self.hearing.find(name, folders=False)  # a page names models, not folders
            language = model.language or self.language
            entry = (self.hearing.listener(model, rate, language), key, now)
        with self._lock:
            self._listeners[token] = (entry[0], key, now)
        return entry[0]


async def bounded_body(request: Request, limit: int) -> bytes | None:
    """The request's body, or None as soon as it is known to pass ``limit`` bytes (its
    Content-Length says so, or the bytes read so far do): a huge body is never held."""
    length = request.headers.get("content-length")
    if length is not None and (not length.isdigit() or int(length) > limit):
        return None
    parts, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        parts.append(chunk)
    return b"".join(parts)
