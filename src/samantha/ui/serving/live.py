"""The answer's text on its way to the page, beside Gradio's events rather than through them.

Every Gradio update costs the browser about 25 ms of work, however small the change: the page
refreshes the loading state of every component that any event has ever updated. At a few
updates a second, that time comes straight out of generation on a computer whose cores run the
model (and the server spends as long rebuilding every output the update left out). So, while a
chain runs, its text (and, in learning mode at full speed, the last token's line and
candidates) streams through one plain server-sent-events request per tab
(``GET /samantha/live/<token>``), and a few lines of page script put it on the page. Gradio
still sends the text and the panel at the end of each cycle, so the page shows everything even
if this stream fails.

The token is the tab's own secret (``secrets``, one per Gradio session, handed to its page
when the page loads), not Gradio's session id, which the page makes with ``Math.random``. With a
password, a run's stream is also bound to the login that started it: a second login that learnt
the token still gets nothing.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import threading
from collections import OrderedDict
from typing import Any, AsyncIterator, Callable, Protocol

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

PATH = "/samantha/live/{token}"
INTERVAL = 0.25  # seconds between updates: each costs a software-drawn page ~6 ms
PANEL_EVERY = 4  # learning mode's panel at every 4th update: once a second is enough to read
WAIT = 10.0  # how long a request waits for its tab's run to start
WAITERS = 2  # requests of one tab waiting at once (its page keeps one; a reload, a second)
TAIL = 32  # characters compared to tell an append from a cleared output

# Page script: opens the stream when Start is clicked (or Enter pressed) and writes the text;
# with Sounds on, a beep when an answer starts and a chime when it ends (the predecessor's).
PAGE_JS = """
  let live = null;
  // Each text written into the output box fires the document's selectionchange, and every code
  // editor on the page (CodeMirror) measures the page on it: 5 ms per update. They need it
  // only when the selection is theirs.
  window.addEventListener('selectionchange', (event) => {
    const active = document.activeElement;
    if (!(active && active.closest && active.closest('.cm-editor'))) {
      event.stopImmediatePropagation();
    }
  }, true);
  const tones = (notes) => {
    const box = document.querySelector('#opt-sounds input');  // on until its panel says off
    if ((box && !box.checked) || !window.AudioContext) return;
    const audio = new AudioContext();
    notes.forEach(([frequency, start, length]) => {
      const tone = audio.createOscillator();
      const volume = audio.createGain();
      tone.frequency.value = frequency;
      volume.gain.value = 0.08;
      tone.connect(volume).connect(audio.destination);
      tone.start(audio.currentTime + start);
      tone.stop(audio.currentTime + start + length);
    });
    setTimeout(() => audio.close(), 2000);
  };
  const answers = (text) => text.split('\\n---------- (').length;
  // Learning mode at full speed: the last token's line and candidates come with the text and
  // take the place of Gradio's, which are drawn again once the run's last update is in.
  const livePanel = () => document.querySelector('#live-learning .live-learning');
  const gradioPanel = () => ['#stages', '#candidates'].map((id) => document.querySelector(id))
    .filter(Boolean);
  const showPanel = (html) => {
    const box = livePanel();
    if (!box) return;
    box.innerHTML = html;
    gradioPanel().forEach((element) => { element.style.display = html ? 'none' : ''; });
  };
  const restorePanel = () => {
    const start = document.querySelector('#start-button');
    let waited = 0;
    const timer = setInterval(() => {
      waited += 100;
      if (!start || !start.disabled || waited > 30000) {
        clearInterval(timer);
        showPanel('');
      }
    }, 100);
  };
  const follow = () => {
    const field = document.querySelector('#live-token textarea, #live-token input');
    const token = field ? field.value : '';
    if (live) live.close();
    showPanel('');
    if (!token) return;  // the page has not got its token yet: answers arrive per cycle
    const source = new EventSource(new URL('samantha/live/' + token, document.baseURI));
    live = source;
    let text = null, ended = 0, waiting = true, seen = 0;
    const pollRuns = () => { if (window.samanthaPollRuns) window.samanthaPollRuns(); };
    source.onmessage = (message) => {
      const data = JSON.parse(message.data);
      if (data.status && window.samanthaStatus) window.samanthaStatus(data.status);
      if (data.panel !== undefined) showPanel(data.panel || '');
      // the Runs list at once: this run in it from its start, and out of it at its end
      if (data.done) { source.close(); restorePanel(); pollRuns(); return; }
      const first = text === null;
      if (first) pollRuns();
      text = (text || '').slice(0, data.offset) + data.text;
      if (first) { ended = answers(text); seen = text.length; }
      if (answers(text) > ended) { tones([[880, 0, 0.12], [660, 0.15, 0.2]]); waiting = true; }
      else if (waiting && text.length > seen) { tones([[600, 0, 0.25]]); waiting = false; }
      ended = answers(text);
      seen = text.length;
      if (!data.show) return;  // fast mode: Gradio shows each answer once, complete
      const box = document.querySelector('#output textarea');
      // Gradio's last update can arrive first: never show less of the same text.
      if (!box || (box.value.length > text.length && box.value.startsWith(text))) return;
      const following = box.scrollTop + box.clientHeight >= box.scrollHeight - 8;
      box.value = text;
      if (following) box.scrollTop = box.scrollHeight;
    };
    source.onerror = () => source.close();
  };
  document.addEventListener('click', (event) => {
    if (event.target.closest && event.target.closest('#start-button')) follow();
  }, true);
"""


class Feed(Protocol):
    done: bool
    show: bool  # False in fast mode: the page only plays the sounds

    @property
    def text(self) -> str: ...

    @property
    def status(self) -> str: ...  # the status line

    def panel(self) -> str | None: ...  # learning mode's last token as HTML (None: not shown)

    def when_done(self, wake: Callable[[], None]) -> None: ...  # called, from any thread, at
    # the run's end (at once if it has ended)


def needs_login(app: Any) -> bool:
    return getattr(app, "auth", None) is not None or \
        getattr(app, "auth_dependency", None) is not None


def login_of(request: Any) -> str | None:
    """The login cookie a request carries (Gradio's access token), if any."""
    cookie_id = getattr(request.app, "cookie_id", None)
    return (request.cookies.get(f"access-token-{cookie_id}")
            or request.cookies.get(f"access-token-unsecure-{cookie_id}"))


def logged_in(request: Request) -> bool:
    """True when the UI needs no password, or the request carries Gradio's login cookie."""
    if not needs_login(request.app):
        return True
    token = login_of(request)
    return token is not None and token in getattr(request.app, "tokens", {})


def waker(event: asyncio.Event) -> Callable[[], None]:
    """Sets ``event`` from any thread, on the running loop (if it still runs)."""
    loop = asyncio.get_running_loop()

    def wake() -> None:
        try:
            loop.call_soon_threadsafe(event.set)
        except RuntimeError:  # the loop has closed: nobody is left to wake
            pass

    return wake


def message(data: dict) -> str:
    return f"data: {json.dumps(data, ensure_ascii=False)}\n\n"


class LiveText:
    """Which run streams into which browser tab (by the tab's token), and the request that
    streams it."""

    def __init__(self, interval: float = INTERVAL, wait: float = WAIT,
                 remembered: int = 10_000, panel_every: int = PANEL_EVERY) -> None:
        self.interval, self.wait, self.remembered = interval, wait, remembered
        self.panel_every = panel_every
        self._feeds: dict[str, tuple[Feed, str | None]] = {}
        self._tokens: OrderedDict[str, str] = OrderedDict()
        self._known: set[str] = set()
        self._handed: set[str] = set()  # sessions whose page got its token
        self._waiting: dict[str, int] = {}
        self._lock = threading.Lock()

    def token_for(self, session: str) -> str:
        """The secret token of the tab whose Gradio session is ``session`` (made on first
        ask; the oldest are forgotten past ``remembered`` tabs)."""
        with self._lock:
            token = self._tokens.get(session)
            if token is None:
                token = self._tokens[session] = secrets.token_urlsafe(24)
                self._known.add(token)
                while len(self._tokens) > self.remembered:
                    forgotten, old = self._tokens.popitem(last=False)
                    self._known.discard(old)
                    self._handed.discard(forgotten)
            self._tokens.move_to_end(session)
            return token

    def hand_out(self, session: str) -> str:
        """The token for the page of ``session``, once: a second ask for the same session (a
        client that learnt another tab's session id) gets ""."""
        with self._lock:
            if not session or session in self._handed:
                return ""
            self._handed.add(session)
        return self.token_for(session)

    def knows(self, token: str) -> bool:
        """True when ``token`` is the secret of a tab of this server."""
        with self._lock:
            return token in self._known

    def attach(self, token: str, feed: Feed, login: str | None = None) -> None:
        """Stream ``feed`` to the page holding ``token`` (and, given a ``login``, only to
        requests carrying that login)."""
        self._feeds[token] = (feed, login)

    def detach(self, token: str, feed: Feed) -> None:
        if token in self._feeds and self._feeds[token][0] is feed:
            del self._feeds[token]

    def route(self) -> Route:
        return Route(PATH, self.endpoint, methods=["GET"])

    async def endpoint(self, request: Request) -> Response:
        if not logged_in(request):
            return PlainTextResponse("Log in to Samantha first.", status_code=401)
        token = request.path_params["token"]
        if not self.knows(token):  # answered at once: nobody waits on a made-up token
            return PlainTextResponse("Not a tab of this server.", status_code=404)
        with self._lock:
            if self._waiting.get(token, 0) >= WAITERS:
                return PlainTextResponse("This tab already waits for its run.", status_code=429)
            self._waiting[token] = self._waiting.get(token, 0) + 1
        try:
            feed, login = await self._next_entry(token)
        finally:
            with self._lock:
                self._waiting[token] -= 1
                if not self._waiting[token]:
                    del self._waiting[token]
        if login is not None and login != login_of(request):
            return PlainTextResponse("This stream belongs to another login.", status_code=403)
        events = self.stream(feed)
        no_buffering = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}  # nor proxies
        return StreamingResponse(events, media_type="text/event-stream", headers=no_buffering)

    async def events(self, token: str) -> AsyncIterator[str]:
        """The run of the tab holding ``token``, as messages (see :meth:`stream`)."""
        feed, _ = await self._next_entry(token)
        async for message_text in self.stream(feed):
            yield message_text

    async def stream(self, feed: Feed | None) -> AsyncIterator[str]:
        """A run as messages: the whole text first, then what was added, then done."""
        sent = ""  # the last TAIL characters sent, to tell an append from a cleared output
        length, status, panel, ticks = 0, "", None, 0
        ended = asyncio.Event()
        if feed is not None:
            feed.when_done(waker(ended))
        while feed is not None:
            done = feed.done  # read before the text: the last text is then complete
            text = feed.text
            now = feed.panel() if ticks % self.panel_every == 0 else panel
            ticks += 1
            appended = len(text) >= length and text[max(0, length - TAIL):length] == sent
            if not appended or len(text) > length or feed.status != status or now != panel:
                offset = length if appended else 0
                status = feed.status
                data = {"offset": offset, "text": text[offset:], "show": feed.show,
                        "status": status}
                if now != panel:
                    data["panel"] = panel = now
                yield message(data)
                length, sent = len(text), text[max(0, len(text) - TAIL):]
            if done:
                break
            try:  # the interval, cut short by the run's end: its last text shows at once
                await asyncio.wait_for(ended.wait(), self.interval)
            except TimeoutError:
                pass
        yield message({"done": True} | ({"status": feed.status} if feed is not None else {}))

    async def _next_entry(self, token: str) -> tuple[Feed | None, str | None]:
        """The run attached to ``token`` and its login, waiting a while for it to start."""
        waited = 0.0
        while (entry := self._feeds.get(token)) is None and waited < self.wait:
            await asyncio.sleep(0.05)
            waited += 0.05
        return entry if entry else (None, None)
