"""A chain running for a browser tab: its events on a thread of their own, what the tab has not
shown yet, and where the run is (the status line)."""

from __future__ import annotations

import threading
from typing import Any, Callable

from samantha.core.answer_events import DownloadProgress, TokenEvent
from samantha.core.progress import Progress, ProgressTracker
from samantha.core.run_events import CodeRan, CycleFailed, CycleFinished, CycleStarted, RunFinished
from samantha.ui.serving.session import UiSession


class RunFeed:
    """Runs a chain on a thread of its own, keeping the tab's session up to date; the UI picks
    up what changed whenever it is ready. Generation never waits for the browser."""

    def __init__(self, session: UiSession, chain: Any, paced: bool, show: bool = True,
                 describe: Callable[[Progress], str] = lambda p: p.phase,
                 on_done: Callable[[], None] = lambda: None,
                 panel: Callable[[], str] | None = None,
                 waiting: Callable[[Progress], str | None] = lambda p: None,
                 backends: Callable[[], str | None] = lambda: None) -> None:
        self.session, self.chain, self.paced = session, chain, paced
        self.backends = backends  # the remote backends' states, said after the status
        self.waiting = waiting  # the status line while the run waits for the model, else None
        self._panel = panel  # learning mode at full speed: the last token's line, as HTML
        self.show = show  # stream the text to the page (fast mode: only its sounds)
        self.describe = describe  # the status line, in the interface's language
        self.on_done = on_done  # called once the run has ended, whoever is watching
        self.changed = threading.Condition()
        self.milestones: list[Any] = []  # cycle ends, code runs: each shown once
        self.tokens = 0
        self.download: DownloadProgress | None = None
        self.tracker = ProgressTracker()
        self.done = False
        self.error: BaseException | None = None
        self._wakes: list[Callable[[], None]] = []  # called at the end (the live streams)

    @property
    def text(self) -> str:
        return self.session.transcript.text

    @property
    def progress(self) -> Progress:
        return self.tracker.now

    @property
    def status(self) -> str:
        now = self.tracker.now
        line = (None if now.phase == "finished" else self.waiting(now)) or self.describe(now)
        backends = self.backends() if now.phase != "finished" else None
        return f"{line} · {backends}" if backends else line

    def panel(self) -> str | None:
        """What the live stream shows of learning mode's last token (None: nothing, the
        panel comes through Gradio)."""
        return self._panel() if self._panel is not None else None

    def when_done(self, wake: Callable[[], None]) -> None:
        """Call ``wake`` (on the run's thread) when the run ends; at once if it has."""
        with self.changed:
            if not self.done:
                self._wakes.append(wake)
                return
        wake()

    def start(self) -> None:
        threading.Thread(target=self._run, name=f"run-{self.chain.id}", daemon=True).start()

    def _run(self) -> None:
        session = self.session
        try:
            for event in self.chain:
                with self.changed:
                    self.tracker.add(event)
                    session.transcript.add(event)
                    if isinstance(event, CycleStarted):
                        session.steps, session.cycle = [], event
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
        except Exception as exc:  # shown in the tab; the run is already marked failed (or
            self.error = exc  # interrupted, to resume, when the disk filled up)
            status = "interrupted" if getattr(exc, "resumable", False) else "failed"
            self.tracker.now = Progress(phase="finished", status=status)
        finally:
            self.on_done()
            with self.changed:
                self.done = True
                self.changed.notify_all()
                wakes, self._wakes = self._wakes, []
            for wake in wakes:
                wake()

    def wait(self, seconds: float) -> tuple[bool, list[Any], int, DownloadProgress | None]:
        """What happened since the last call (waiting up to ``seconds`` for something)."""
        with self.changed:
            if not (self.done or self.milestones or (self.paced and self.tokens)):
                self.changed.wait(seconds)
            milestones, self.milestones = self.milestones, []
            tokens, self.tokens = self.tokens, 0
            download, self.download = self.download, None
            return self.done, milestones, tokens, download
