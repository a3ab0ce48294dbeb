"""A model's answer is inert wherever Samantha shows it (issue 25, case 3).

The answer comes from a real OpenAI-compatible server on 127.0.0.1 (started here, it answers
every request with the same hostile text) used as the backend of ``parrot@parrot`` in a real
``samantha ui``, driven by headless Chromium: "Response in HTML" opens a page whose links run
nothing, in an origin of its own that cannot call the UI; History's run view and comparison,
and the exported page opened from the disk, run nothing either. The learning panels' pieces of
HTML are checked here too, without a browser."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import markdown
import pytest
from support.html_dangers import Dangers

from samantha.core.trace import Candidate, TokenStep
from samantha.documents.compare import compare, grid_html
from samantha.store import RunStore
from samantha.ui import views
from samantha.ui.words.table import texts

from .conftest import Server, shot
from .pages import (
    open_in_history,
    open_panel,
    open_tab,
    set_models,
    set_number,
    set_prompts,
    wait_footers,
)

MARK = "PWNED"
#: The answer: links whose target the browser decodes to ``javascript:``, and raw HTML with a
#: handler; each would set the page's title (and log) if it ran.
ANSWER = (f"Here: [click me](&#106;avascript:document.title='{MARK}') and "
          f"[or me](java&#x0A;script:console.log('{MARK}')) "
          f"<img src=x onerror=\"document.title='{MARK}'\"> done.")

# ------------------------------------------------------------------ the learning panels' pieces

EN = texts("en")
HOSTILE_PIECE = "a`[x](javascript:alert(1))`b<img src=x onerror=alert(1)>"


def step_of(piece: str) -> TokenStep:
    candidates = (Candidate(7, piece, 2.0, 0.6), Candidate(8, "<svg onload=alert(1)>", 1.0, 0.4))
    return TokenStep(step=1, token_id=8, piece=candidates[1].piece, rank=2, logit=1.0, p=0.4,
                     entropy=0.7, candidates=candidates, stages=(), final=())


def test_a_token_cannot_end_its_code_span_in_the_stage_line() -> None:
    """A remote backend's token is any text: with a backtick it would close the code span and
    the rest would be read as Markdown (a link)."""
    step = TokenStep(step=1, token_id=7, piece=HOSTILE_PIECE, rank=1, logit=2.0, p=0.6,
                     entropy=0.7, candidates=step_of(HOSTILE_PIECE).candidates, stages=(),
                     final=())
    rendered = markdown.markdown(views.stage_text(step, EN))
    assert "<a" not in rendered and "javascript" in rendered  # shown, as code


def test_the_learning_panels_html_is_inert_whatever_the_tokens() -> None:
    step = step_of(HOSTILE_PIECE)
    pieces = {"candidates": views.candidate_table(step, EN),
              "live": views.live_panel(step, EN),
              "bars": views.probability_chart(step, EN),
              "ranks": views.rank_chart([step], EN),
              "branch": views.side_by_side(HOSTILE_PIECE, "<img src=x onerror=alert(2)>", EN)}
    found = {name: Dangers(html).found for name, html in pieces.items()}
    assert not any(found.values()), found
    assert all(html for html in pieces.values())


# ---------------------------------------------------------------------------- the real browser

class Parrot(ThreadingHTTPServer):
    """An OpenAI-compatible server that streams ``ANSWER`` to every chat request."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), ParrotHandler)
        self.url = f"http://127.0.0.1:{self.server_address[1]}"
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


class ParrotHandler(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 (http.server's names)
        if self.path != "/v1/models":
            self.send_error(404)
            return
        body = json.dumps({"object": "list", "data": [{"id": "parrot", "object": "model",
                                                        "owned_by": "parrot"}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        words = ANSWER.split(" ")
        chunks = [{"role": "assistant"}, *({"content": w + " "} for w in words[:-1]),
                  {"content": words[-1]}]
        for delta in chunks:
            self._event({"index": 0, "delta": delta, "finish_reason": None})
        self._event({"index": 0, "delta": {}, "finish_reason": "stop"})
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()
        self.close_connection = True

    def _event(self, choice: dict) -> None:
        chunk = {"id": "parrot-1", "object": "chat.completion.chunk", "created": 0,
                 "model": "parrot", "choices": [choice]}
        self.wfile.write(b"data: " + json.dumps(chunk).encode() + b"\n\n")


@pytest.fixture(scope="module")
def answered(browser, session_home: Path, tmp_path_factory: pytest.TempPathFactory
             ) -> Iterator[tuple[Server, Path, object, int]]:
    """A UI of its own home whose backend ``parrot`` answered one chain with ``ANSWER``: the
    server, its home, the tab that ran it, and the run's id."""
    parrot = Parrot()
    home = tmp_path_factory.mktemp("inert-ui") / "home"
    (home / "models").mkdir(parents=True)
    for model in (session_home / "models").glob("*.gguf"):
        os.link(model, home / "models" / model.name)
    (home / "backends.json").write_text(json.dumps({"parrot": {"url": parrot.url,
                                                               "kind": "openai"}}))
    server = Server(home)
    page = open_tab(browser, server.entry)
    set_models(page, "parrot@parrot")
    set_prompts(page, "Say it.")
    set_number(page, "max_tokens", 64)
    page.click("#start-button")
    wait_footers(page, 1)
    with RunStore(home / "history.sqlite3") as store:
        run = store.get_run(store.latest_run_id())
    assert run.cycles[0].response.strip() == ANSWER  # the model's own answer, stored as is
    yield server, home, page, run.id
    page.context.close()
    server.stop()
    parrot.stop()


def watch(page) -> list[str]:
    """What the page logs (a link or handler that ran would log or retitle the page)."""
    logged: list[str] = []
    page.on("console", lambda message: logged.append(message.text))
    return logged


def click_every_link(page, within: str = "body") -> None:
    for link in page.locator(f"{within} a").all():
        if link.is_visible():
            link.click(no_wait_after=True)


def assert_inert(page, logged: list[str], within: str = "body") -> None:
    hrefs = page.eval_on_selector_all(f"{within} a", "as => as.map(a => a.getAttribute('href'))")
    assert not [h for h in hrefs if h and not h.startswith(("http:", "https:", "mailto:"))], hrefs
    handlers = page.eval_on_selector_all(
        f"{within} *", "es => es.flatMap(e => e.getAttributeNames().filter(n => "
                       "n.startsWith('on')))")
    assert handlers == []
    click_every_link(page, within)
    page.wait_for_timeout(300)  # a javascript: link runs at once: give it the chance
    assert MARK not in page.title() and not [line for line in logged if MARK in line]


@pytest.mark.e2e
@pytest.mark.parametrize("button", ["Response in HTML", "Responses in HTML"])
def test_response_in_html_opens_an_inert_page_that_cannot_reach_the_ui(answered,
                                                                      button: str) -> None:
    server, _, page, _ = answered
    with page.context.expect_page() as opened:
        page.get_by_role("button", name=button, exact=True).click()
    shown = opened.value
    logged = watch(shown)
    shown.wait_for_load_state()
    assert "/gradio_api/file=" in shown.url
    shown.get_by_text("click me").wait_for()
    shot(shown, f"inert-{button.split()[0].lower()}-page")
    assert_inert(shown, logged)
    assert MARK not in page.title()
    assert shown.evaluate("window.opener") is None  # opened with noopener
    assert shown.evaluate("self.origin") == "null"  # an opaque origin: not the UI's
    reached = shown.evaluate("fetch('/gradio_api/info', {mode: 'no-cors'})"
                             ".then(() => 'answered', () => 'refused')")
    assert reached == "refused"


@pytest.mark.e2e
def test_history_run_view_and_comparison_run_nothing(answered) -> None:
    _, home, page, run_id = answered
    logged = watch(page)
    open_in_history(page, home, run_id)
    for button in ("#open-run", "#compare-run"):
        page.click(button)
        page.wait_for_function("document.querySelector('#run-view').innerText"
                               ".includes('click me')", timeout=30_000)
        assert_inert(page, logged, "#run-view")
    shot(page, "inert-history")


@pytest.mark.e2e
def test_exported_pages_opened_from_the_disk_run_nothing(answered, tmp_path: Path) -> None:
    _, home, page, run_id = answered
    open_in_history(page, home, run_id)
    page.locator("#export-format").get_by_text("html", exact=True).click()
    page.click("#export-run")
    page.wait_for_selector("#export-file a[download]", timeout=30_000)
    export = home / "exports" / f"run-{run_id}.html"
    with RunStore(home / "history.sqlite3") as store:
        grid = tmp_path / "grid.html"
        grid.write_text(grid_html(compare(store.get_run(run_id))), encoding="utf-8")
    for path in (export, grid):
        disk = page.context.new_page()
        logged = watch(disk)
        disk.goto(path.as_uri())
        disk.get_by_text("click me").first.wait_for()
        assert_inert(disk, logged)
        reached = disk.evaluate(f"fetch('{answered[0].url}gradio_api/info', {{mode: 'no-cors'}})"
                                ".then(() => 'answered', () => 'refused')")
        assert reached == "refused"  # the page's own policy: it loads nothing
        disk.close()


@pytest.mark.e2e
def test_html_printed_by_code_is_shown_rendered_and_runs_nothing(answered) -> None:
    """The predecessor showed what code printed as HTML rendered: so do we, cleaned."""
    _, _, page, _ = answered
    page.get_by_role("tab", name="Chat").click()
    printed = ("<div><table><tr><td>cell</td></tr></table>"
               "<a href='&#106;avascript:parent.document.title=`PWNED`'>click me</a>"
               "<img src=x onerror='parent.document.title=`PWNED`'></div>")
    open_panel(page, "code-panel")
    page.locator("#code-box .cm-content").click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(f"print({printed!r})")
    page.click("#run-code-button")
    page.wait_for_selector("#code-result iframe", timeout=60_000)
    frame = page.frame_locator("#code-result iframe")
    assert frame.locator(".html-output table td").inner_text() == "cell"  # rendered, in place
    inner = next(f for f in page.frames if f.parent_frame is page.main_frame
                 and "cell" in f.content())
    assert_inert(inner, watch(page))
    assert MARK not in page.title()
