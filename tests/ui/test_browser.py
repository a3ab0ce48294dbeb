"""The web UI in headless Chromium against a real `samantha ui` process with the real model."""

from __future__ import annotations

import io
import re
import time
import wave
from pathlib import Path

import httpx
import pytest
from support.pdf_file import write_pdf

from samantha.store import RunStore

from .conftest import Server, shot
from .pages import (
    COUNT,
    check,
    footers,
    open_panel,
    open_tab,
    output,
    run_code,
    set_models,
    set_number,
    set_prompts,
    wait_footers,
)

pytestmark = pytest.mark.e2e


@pytest.fixture(autouse=True)
def no_run_left(ui_server):
    """After each test, every run still in progress in the shared server is stopped, and the
    next test starts once the list is empty: a test that failed mid-run (a timeout on a loaded
    computer) must not leave a 3,000-token answer holding the model while the next tests wait
    for it and time out in turn."""
    yield
    with httpx.Client(base_url=ui_server.url, headers=ui_server.auth, timeout=30) as client:
        deadline = time.monotonic() + 300
        while (runs := client.get("samantha/runs").json()) and time.monotonic() < deadline:
            for run in runs:
                if not run["stopping"]:
                    client.post(f"samantha/runs/{run['id']}/stop",
                                headers={"X-Samantha-Request": "stop"})
            time.sleep(0.2)  # until the list is empty (a stopped run ends at its next token)
        assert not runs, f"runs still in progress after the test: {runs}"


def test_enter_starts_a_two_model_chain(page) -> None:
    set_models(page, "default\ndefault")
    set_prompts(page, "Who are you?\nWhat is love?")
    set_number(page, "max_tokens", 12)
    page.press("#user-prompt textarea", "Enter")  # Enter anywhere starts
    wait_footers(page, 4)
    text = output(page)
    assert text.count("=" * 42) == 4  # a banner per model, numbered by its first cycle
    assert "\n1) default\n" in text and "\n3) default\n" in text
    assert page.input_value("#user-prompt textarea") == "Who are you?\nWhat is love?"
    shot(page, "chat-two-models")


def test_shift_enter_is_a_new_line(page) -> None:
    set_prompts(page, "one")
    page.press("#user-prompt textarea", "Shift+Enter")
    page.keyboard.type("two")
    assert page.input_value("#user-prompt textarea") == "one\ntwo"
    assert output(page) == ""


def test_stop_all_mid_answer(page, session_home: Path) -> None:
    set_prompts(page, COUNT + "\nSecond prompt")
    set_number(page, "max_tokens", 3000)
    page.click("#start-button")
    page.wait_for_function("document.querySelector('#output textarea').value.includes(' 15,')")
    page.click("#stop-all-button")
    wait_footers(page, 1)
    time.sleep(1.5)
    text = output(page)
    assert text.count("---------- (") == 1 and ", stopped)" in text
    with RunStore(session_home / "history.sqlite3") as store:
        run = store.get_run(store.latest_run_id())
    assert run.status == "stopped" and len(run.cycles) == 1
    assert run.cycles[0].finish_reason == "cancelled" and 10 < run.cycles[0].tokens < 3000


def test_learning_mode_step_by_step(page) -> None:
    set_prompts(page, "The capital of France is")
    open_panel(page, "learning-panel")
    page.locator("#learning-pace").get_by_text("NEXT TOKEN", exact=True).click()
    page.click("#start-button")
    time.sleep(2)
    assert page.locator("#candidates tbody tr").count() <= 1  # nothing chosen yet
    shown = []
    for expected in (1, 2, 3):
        page.click("#next-token-button")
        page.wait_for_function(
            f"document.querySelector('#stages').innerText.includes('Token {expected}:')")
        time.sleep(0.5)
        stages = page.inner_text("#stages")
        assert f"Token {expected}:" in stages and f"Token {expected + 1}:" not in stages
        assert "top-k 40" in stages
        shown.append(output(page))
        assert page.locator("#candidates tbody tr").count() == 10
    assert len(shown[0]) < len(shown[1]) < len(shown[2])
    assert "▶" in page.inner_text("#candidates")
    shot(page, "learning-step")
    page.click("#stop-all-button")
    wait_footers(page, 1)


def test_feedback_loop_sends_the_first_answer(page, session_home: Path) -> None:
    check(page, "conversation", "feedback_loop")
    set_prompts(page, "Name a colour.\nWhy that one?")
    set_number(page, "max_tokens", 10)
    page.click("#start-button")
    wait_footers(page, 2)
    with RunStore(session_home / "history.sqlite3") as store:
        run = store.get_run(store.latest_run_id())
    first, second = run.cycles
    assert {"role": "assistant", "content": first.response} in second.messages


def test_a_bad_parameter_block_shows_the_line(page) -> None:
    set_prompts(page, "Fine prompt\n{temprature=1} broken")
    page.click("#start-button")
    page.wait_for_function("document.querySelector('#input-error').innerText.includes('line')")
    message = page.inner_text("#input-error")
    assert "line 2, column 2" in message and "temprature" in message
    assert output(page) == ""
    shot(page, "bad-prompt")
    set_prompts(page, "Hi")  # the UI keeps working
    set_number(page, "max_tokens", 4)
    page.click("#start-button")
    wait_footers(page, 1)
    assert page.inner_text("#input-error").strip() == ""


def test_run_pasted_code(page) -> None:
    run_code(page, "print(2 + 2)")
    page.wait_for_selector("#code-result iframe", timeout=60_000)
    srcdoc = page.get_attribute("#code-result iframe", "srcdoc")
    assert "<pre>4</pre>" in srcdoc
    frame = page.frame_locator("#code-result iframe")
    assert frame.locator("pre").first.inner_text() == "4"


def test_a_matplotlib_figure_is_shown(page) -> None:
    run_code(page, "import matplotlib.pyplot as plt\nplt.plot([1, 3, 2])\nplt.show()\n"
                   "print('plotted')")
    page.wait_for_selector("#figures img", timeout=60_000)
    assert page.locator("#figures img").count() >= 1
    shot(page, "code-figure")


def test_files_in_a_data_home_outside_the_temp_folder_are_shown(browser, tmp_path: Path) -> None:
    # Gradio serves only files under the working folder, the temp folder and allowed paths; the
    # usual data home (~/.local/share/samantha) is none of the first two.
    import secrets
    import shutil

    home = Path.home() / ".cache" / f"samantha-test-{secrets.token_hex(4)}"
    home.mkdir(parents=True)
    server = Server(home, cwd=tmp_path)
    try:
        tab = open_tab(browser, server.entry)
        run_code(tab, "import matplotlib.pyplot as plt\nplt.plot([1, 3, 2])\nplt.show()\n")
        tab.wait_for_selector("#figures img", timeout=60_000)
        assert "Cannot move" not in tab.inner_text("body")
        tab.context.close()
    finally:
        server.stop()
        shutil.rmtree(home, ignore_errors=True)


def seconds(wav: bytes) -> float:
    with wave.open(io.BytesIO(wav)) as audio:
        return audio.getnframes() / audio.getframerate()


def test_answers_are_read_aloud(page) -> None:
    check(page, "voice-panel", "auto_read")
    set_prompts(page, "Say hello.")
    set_number(page, "max_tokens", 12)
    page.click("#start-button")
    wait_footers(page, 1)
    spoken = "(() => { const a = document.querySelector('#speech a[download]');" \
             " return a ? a.getAttribute('download') : ''; })()"
    page.wait_for_function(f"{spoken}.startsWith('speech-')", timeout=60_000)  # read at once
    first = page.evaluate(spoken)
    page.click("#read-aloud")  # again, on demand: a new recording
    page.wait_for_function(f"{spoken}.startsWith('speech-') && {spoken} !== {first!r}",
                           timeout=30_000)
    assert page.inner_text("#input-error").strip() == ""
    english = page.request.get(page.get_attribute("#speech a[download]", "href")).body()
    page.locator("#voice input").click()  # the chosen voice reads the same answer differently
    page.locator("#voice input").fill("Portuguese (Brazil)")
    page.get_by_role("option", name="Portuguese (Brazil)", exact=False).first.click()
    second = page.evaluate(spoken)
    page.click("#read-aloud")
    page.wait_for_function(f"{spoken} !== {second!r}", timeout=30_000)
    portuguese = page.request.get(page.get_attribute("#speech a[download]", "href")).body()
    assert abs(seconds(english) - seconds(portuguese)) > 0.03  # espeak timing: same voice,
    # same length within a few ms; another voice, another length


COUNT_TONES = """() => {
  window.tones = [];
  const Real = window.AudioContext;
  window.AudioContext = class extends Real {
    createOscillator() {
      const tone = super.createOscillator();
      const start = tone.start.bind(tone);
      tone.start = (when) => { window.tones.push(tone.frequency.value); return start(when); };
      return tone;
    }
  };
}"""


LIVE_TOKEN = "document.querySelector('#live-token textarea, #live-token input').value !== ''"
# Start is disabled by a run's first Gradio update and enabled again by its last one, which
# brings the last response: a watch set before the click tells that the last one is in.
WATCH_START = """() => {
  const button = document.querySelector('#start-button');
  window.startWasDisabled = false;
  new MutationObserver(() => { if (button.disabled) window.startWasDisabled = true; })
    .observe(button, {attributes: true});
}"""
LAST_UPDATE_IN = "window.startWasDisabled && !document.querySelector('#start-button').disabled"
STREAM_ENDED = "document.querySelector('#samantha-status').textContent === 'Run finished.'"


def start_and_wait(tab, answers: int) -> None:
    """Start, wait for the ``answers``-th footer, the live stream's end and Gradio's last
    update."""
    tab.evaluate(WATCH_START)
    tab.click("#start-button")
    wait_footers(tab, answers)
    tab.wait_for_function(f"({STREAM_ENDED}) && ({LAST_UPDATE_IN})")


def test_sounds_mark_the_start_and_the_end_of_answers(browser, ui_server) -> None:
    tab = open_tab(browser, ui_server.entry, COUNT_TONES)
    set_prompts(tab, COUNT)
    set_number(tab, "max_tokens", 48)
    tab.wait_for_function(LIVE_TOKEN)  # the sounds come with the live stream: its token first
    start_and_wait(tab, 1)
    assert 880 in tab.evaluate("window.tones")  # the end chime
    assert 600 in tab.evaluate("window.tones")  # the start beep
    check(tab, "chain-options", "fast_mode")  # fast mode shows no text, but still sounds
    tab.evaluate("window.tones = []")
    start_and_wait(tab, 2)
    assert 880 in tab.evaluate("window.tones")
    check(tab, "chain-options", "fast_mode", on=False)
    check(tab, "voice-panel", "sounds", on=False)
    tab.evaluate("window.tones = []")
    start_and_wait(tab, 3)  # the stream's last message is in: no tone can follow
    assert tab.evaluate("window.tones") == []  # Sounds off: silence
    tab.context.close()


def test_copy_last_response(page) -> None:
    set_prompts(page, "Who are you?")
    set_number(page, "max_tokens", 8)
    page.wait_for_function(LIVE_TOKEN)
    start_and_wait(page, 1)  # Gradio's last update, with the last response, is in
    page.click("#copy-last")
    page.wait_for_function("navigator.clipboard.readText().then((text) => text.trim() !== '')")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.strip() and copied.strip() in output(page)


def test_two_tabs_stay_separate(browser, ui_server) -> None:
    tabs = []
    for _ in range(2):
        tabs.append(open_tab(browser, ui_server.entry))
    first, second = tabs
    set_prompts(first, COUNT + "\nSay hi.")
    set_number(first, "max_tokens", 200)
    set_prompts(second, COUNT)
    set_number(second, "max_tokens", 3000)
    first.click("#start-button")
    second.click("#start-button")
    second.wait_for_function("document.querySelector('#output textarea').value.includes(' 9,')",
                             timeout=90_000)
    second.click("#stop-all-button")  # stops only its own run
    wait_footers(first, 2, timeout=180_000)
    wait_footers(second, 1, timeout=60_000)
    assert ", stopped)" in output(second) and ", stopped)" not in output(first)
    assert footers(second) == 1 and footers(first) == 2
    for tab in tabs:
        tab.context.close()


def test_history_and_models_tabs(page) -> None:
    page.get_by_role("tab", name="History").click()
    page.wait_for_function("/finished|stopped/.test(document.querySelector('#runs').innerText)")
    assert "default" in page.inner_text("#runs")
    listed = re.search(r"^\s*(\d+)\s", page.inner_text("#runs"), re.M)
    page.get_by_label("Run id", exact=False).fill(listed.group(1))
    page.click("#open-run")
    page.wait_for_function("document.querySelector('#run-view').innerText"
                           f".includes('Samantha run {listed.group(1)}')")
    page.wait_for_function("(() => { const top = document.querySelector('#run-view')"  # seen
                           ".getBoundingClientRect().top; return top > -2 && top < 600; })()")
    page.click("#compare-run")
    page.wait_for_function(
        "document.querySelector('#run-view').innerText.includes('Speed over the run')")
    assert page.locator("#run-view table").count() == 1
    shot(page, "history")
    page.get_by_role("tab", name="Models").click()
    page.wait_for_function("document.querySelector('#model-table').innerText.includes('gemma')")
    assert "models" in page.inner_text("#model-folders")
    shot(page, "models")


def test_portuguese_labels(browser, session_home: Path) -> None:
    from samantha.ui.words.table import texts

    server = Server(session_home, lang="pt")
    try:
        tab = open_tab(browser, server.entry)
        pt = texts("pt")
        assert tab.inner_text("#start-button").strip() == pt["start"].label
        assert pt["system_prompt"].label in tab.content()
        shot(tab, "portuguese")
        tab.context.close()
    finally:
        server.stop()


def test_import_a_prompt_file_and_pick_an_example(page, tmp_path: Path) -> None:
    script = tmp_path / "prompts.txt"
    script.write_text("First imported prompt\nSecond one\n")
    open_panel(page, "files-panel")
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Import prompts", exact=False).click()
    chooser.value.set_files(str(script))
    page.wait_for_function(
        "document.querySelector('#user-prompt textarea').value.startsWith('First imported')")
    page.get_by_label("Example user prompts", exact=False).click()
    page.get_by_role("option", name="[You are a poet", exact=False).click()
    page.wait_for_function(
        "document.querySelector('#user-prompt textarea').value.includes('[[Write a short')")


def test_pdf_pages_fill_the_prompt_and_a_bad_pdf_is_explained(page, tmp_path: Path) -> None:
    pdf = write_pdf(tmp_path / "capitals.pdf", ["Paris is in France.", "Rome is in Italy."])
    open_panel(page, "files-panel")
    page.get_by_text("PDF instruction", exact=True).first.click()  # opens the accordion
    page.get_by_label("Final request (PDF pages)", exact=False).fill("List the capitals.")
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="PDF pages", exact=True).click()
    chooser.value.set_files(str(pdf))
    page.wait_for_function(
        "document.querySelector('#user-prompt textarea').value.includes('Page 2 of 2: Rome')")
    script = page.input_value("#user-prompt textarea")
    assert script.startswith("[Summarize this text") and "\n$$$\n" in script
    assert "[[List the capitals.]]" in script
    fake = tmp_path / "fake.pdf"
    fake.write_text("not a pdf")
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Full PDF", exact=True).click()
    chooser.value.set_files(str(fake))
    page.wait_for_function("document.querySelector('#input-error').innerText.includes('%PDF')")
    assert page.input_value("#user-prompt textarea") == script  # nothing lost


def test_vocabulary_and_metadata_panels(page) -> None:
    open_panel(page, "models-panel")
    page.get_by_text("Model vocabulary", exact=True).first.click()
    start = page.get_by_label("From id", exact=False)
    start.fill("364")
    page.get_by_label("To id", exact=False).fill("368")
    page.get_by_role("button", name="Show vocabulary", exact=True).click()
    page.wait_for_function("document.querySelector('#vocabulary textarea').value.includes('366')")
    assert "'\\x80'" in page.input_value("#vocabulary textarea")
    page.get_by_role("button", name="Model metadata", exact=True).click()
    page.wait_for_function("document.querySelector('#metadata').innerText.includes('gemma3')")


def test_fast_mode_renders_once_per_answer(page) -> None:
    check(page, "chain-options", "fast_mode")
    set_prompts(page, COUNT)
    set_number(page, "max_tokens", 150)
    page.click("#start-button")
    seen = set()
    deadline = time.monotonic() + 60
    while footers(page) == 0 and time.monotonic() < deadline:
        seen.add(output(page))
        time.sleep(0.05)
    partial = [text for text in seen if " 5," in text and "---------- (" not in text]
    assert footers(page) == 1 and partial == []  # never a half-written answer on screen


def test_an_unknown_model_is_shown_in_place(page) -> None:
    set_models(page, "no-such-model.gguf")
    set_prompts(page, "Hi")
    page.click("#start-button")
    page.wait_for_function("document.querySelector('#input-error').innerText.includes('not')")
    assert "no-such-model.gguf" in page.inner_text("#input-error")
    set_models(page, "default")
    set_number(page, "max_tokens", 4)
    page.click("#start-button")
    wait_footers(page, 1)


def test_the_answer_streams_in_while_it_is_generated(page) -> None:
    set_prompts(page, COUNT)
    set_number(page, "max_tokens", 200)
    page.click("#start-button")
    seen: list[str] = []
    deadline = time.monotonic() + 60
    while footers(page) == 0 and time.monotonic() < deadline:
        text = output(page)
        if text and (not seen or text != seen[-1]):
            seen.append(text)
        time.sleep(0.05)
    partial = [text for text in seen if "---------- (" not in text]
    assert footers(page) == 1 and len(partial) >= 3, seen  # several updates before the end
    assert all(b.startswith(a) for a, b in zip(seen, seen[1:]))  # each one adds to the last


COUNT_FRAMES = """() => {
  window.framesAsked = 0;
  const request = window.requestAnimationFrame.bind(window);
  window.requestAnimationFrame = (callback) => {
    window.framesAsked += 1;
    return request(callback);
  };
}"""


def test_an_idle_page_asks_for_no_frames(browser, ui_server) -> None:
    # Gradio's loading indicator leaves a timer asking for 60 frames a second forever;
    # page_script.py stops it. An idle tab must then ask for none (its springs settle in ~5 s).
    tab = open_tab(browser, ui_server.entry, COUNT_FRAMES)
    counts = []
    for _ in range(12):
        before = tab.evaluate("window.framesAsked")
        tab.wait_for_timeout(1000)
        counts.append(tab.evaluate("window.framesAsked") - before)
        if counts[-1] == 0:
            break
    tab.context.close()
    assert counts[-1] == 0, f"frames asked per second while idle: {counts}"


def test_the_loop_guard_switch(page) -> None:
    set_prompts(page, "Say: yes yes yes yes yes yes\nSay: no no no no no no")  # the model loops
    set_number(page, "max_tokens", 60)
    page.click("#start-button")
    wait_footers(page, 2)
    assert "stopped: the answer repeats itself)" in output(page)
    page.click("#clean-button")
    page.wait_for_function("document.querySelector('#output textarea').value === ''")
    check(page, "chain-options", "loop_guard", on=False)
    page.click("#start-button")
    wait_footers(page, 2)
    assert "repeats itself" not in output(page) and "(60 tokens," in output(page)
