"""The OpenAI-compatible adapter end to end, against llama-cpp-python's own server
(``python -m llama_cpp.server``) started from our venv on the real default model.

That model (Gemma 3 270M, a base model) has no chat template, so the server formats the
messages in its llama-2 fallback ("[INST] … [/INST]"); on a bare user turn the model then
mostly ends at once, so the messages here carry a system turn, after which it writes on.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from support.hostile_http import (
    HostileServer,
    comments,
    forever,
    huge_json,
    long_line,
    redirect,
    silent,
    tokens_then,
)

from samantha.core.answer_events import GenerationResult, TokenEvent
from samantha.core.backend_specs import BackendSpec
from samantha.core.chat import Message
from samantha.core.errors import PromptTooLongError
from samantha.core.remote import generate_remote
from samantha.core.settings import Settings
from samantha.engines.openai_http import OpenAICompatible
from samantha.store import RunStore

pytestmark = pytest.mark.e2e

MESSAGES = [Message("system", "You count."),
            Message("user", "Count from one to ten: one, two, three,")]
START_SECONDS = 90


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"llama_cpp.server exited ({process.returncode}):\n"
                        f"{log.read_text(errors='replace')[-3000:]}")
        try:
            if httpx.get(f"{url}/v1/models", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    pytest.fail(f"llama_cpp.server did not answer /v1/models within {START_SECONDS} s:\n"
                f"{log.read_text(errors='replace')[-3000:]}")


@pytest.fixture(scope="module")
def server_url(default_model_path: Path, tmp_path_factory: pytest.TempPathFactory
               ) -> Iterator[str]:
    """llama-cpp-python's server on a free port, for this module; stopped at its end."""
    port = free_port()
    log = tmp_path_factory.mktemp("llama-cpp-server") / "server.log"
    threads = str(min(4, os.cpu_count() or 1))
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "llama_cpp.server", "--model", str(default_model_path),
             "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "1024",
             "--logits_all", "true", "--n_threads", threads, "--n_threads_batch", threads],
            stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(url, process, log)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def backend(server_url: str) -> Iterator[OpenAICompatible]:
    adapter = OpenAICompatible(BackendSpec("lcp", server_url, "openai"))
    yield adapter
    adapter.close()


def answer(backend: OpenAICompatible, settings: Settings, trace_top: int = 0,
           cancel: threading.Event | None = None, cancel_after: int = 0
           ) -> tuple[list[TokenEvent], GenerationResult]:
    cancel = cancel or threading.Event()
    model = backend.models()[0]
    stops, stream = backend.stream(model, MESSAGES, settings, cancel, trace_top)
    events: list[TokenEvent] = []
    for event in generate_remote(stream, settings, cancel, stops):
        if isinstance(event, GenerationResult):
            return events, event
        events.append(event)
        if cancel_after and len(events) == cancel_after:
            cancel.set()
    raise AssertionError("no GenerationResult")


@pytest.fixture(scope="module")
def greedy(backend: OpenAICompatible) -> tuple[list[TokenEvent], GenerationResult]:
    return answer(backend, Settings(max_tokens=12, seed=1))


def test_check_names_the_dialect_and_the_model(backend: OpenAICompatible,
                                               default_model_path: Path) -> None:
    info = backend.check()
    assert info.kind == "openai"
    assert "dialect: llama-cpp-python" in info.notes
    assert info.models == (str(default_model_path),)  # its id is the path it was given
    assert backend.not_honoured(Settings(tfs_z=0.5, temperature=0.7, top_p=1.0, min_p=0.0,
                                         typical_p=1.0))[0].startswith(
        "tfs_z = 0.5 is not supported by openai (llama-cpp-python)")


def test_a_greedy_answer_streams_token_by_token(
        greedy: tuple[list[TokenEvent], GenerationResult]) -> None:
    events, result = greedy
    assert result.finish_reason == "length"  # it writes on past twelve tokens
    assert result.tokens == len(events) == 12
    assert result.text == "".join(e.text for e in events) and result.text.strip()
    assert result.prompt_tokens == 0  # its stream sends no usage
    assert result.error is None


def test_greedy_is_repeatable(backend: OpenAICompatible,
                              greedy: tuple[list[TokenEvent], GenerationResult]) -> None:
    _, again = answer(backend, Settings(max_tokens=12, seed=99))
    assert again.text == greedy[1].text


def test_learning_mode_gives_five_candidates_with_probabilities(
        backend: OpenAICompatible, greedy: tuple[list[TokenEvent], GenerationResult]) -> None:
    events, result = answer(backend, Settings(max_tokens=4, seed=1), trace_top=5)
    assert result.text == greedy[1].text[:len(result.text)] and result.tokens == 4
    for event in events:
        step = event.trace
        assert step is not None and len(step.candidates) == 5
        assert all(0 < c.p <= 1 for c in step.candidates)
        assert [c.p for c in step.candidates] == sorted((c.p for c in step.candidates),
                                                        reverse=True)
        assert sum(c.p for c in step.candidates) <= 1 + 1e-6
        assert step.rank == 1 and step.p == pytest.approx(step.candidates[0].p)  # greedy
        assert "llama-cpp-python" in step.source


def test_a_stop_string_ends_the_answer(backend: OpenAICompatible,
                                       greedy: tuple[list[TokenEvent], GenerationResult]
                                       ) -> None:
    pieces = [e.text for e in greedy[0]]
    stop = next(p for p in pieces[2:] if p.strip())  # a word the greedy answer writes
    expected = greedy[1].text[:greedy[1].text.index(stop)]
    _, result = answer(backend, Settings(max_tokens=12, seed=1, stop=(stop,)))
    assert (result.text, result.finish_reason) == (expected, "stop")


def test_cancelling_mid_stream_ends_it_at_once(backend: OpenAICompatible) -> None:
    cancel = threading.Event()
    settings = Settings(max_tokens=48, seed=1)
    _, stream = backend.stream(backend.models()[0], MESSAGES, settings, cancel)
    tokens, cancelled_at = 0, 0.0
    for event in generate_remote(stream, settings, cancel):
        if isinstance(event, GenerationResult):
            break
        tokens += 1
        if tokens == 3:
            cancel.set()
            cancelled_at = time.perf_counter()
    assert isinstance(event, GenerationResult)
    assert event.finish_reason == "cancelled" and tokens == 3 and event.tokens == 3
    assert time.perf_counter() - cancelled_at < 2
    _, after = answer(backend, Settings(max_tokens=2, seed=1))  # the server answers again
    assert after.finish_reason == "length" and after.tokens == 2


def test_a_prompt_longer_than_the_context_is_refused_with_counts(
        backend: OpenAICompatible) -> None:
    model = backend.models()[0]
    with pytest.raises(PromptTooLongError) as caught:
        backend.stream(model, [Message("user", "word " * 1500)], Settings(max_tokens=8),
                       threading.Event())
    assert caught.value.n_ctx == 1024 and caught.value.prompt_tokens > 1024


# -- hostile servers through the CLI (no model: these backends answer for it) ------------------
CHAT = "POST /v1/chat/completions"


@pytest.fixture
def hostile_home(tmp_path: Path) -> Iterator[tuple[Path, dict[str, HostileServer]]]:
    """A data home whose backends.json names hostile servers (started by the test)."""
    servers: dict[str, HostileServer] = {}
    yield tmp_path / "home", servers
    for server in servers.values():
        server.stop()


def add_backends(home: Path, servers: dict[str, HostileServer], **entries: dict) -> None:
    home.mkdir(parents=True, exist_ok=True)
    (home / "backends.json").write_text(json.dumps({
        name: {"url": servers[name].url, "kind": "openai", **entries.get(name, {})}
        for name in servers}), encoding="utf-8")


def samantha(home: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "samantha", *args], capture_output=True,
                          text=True, timeout=timeout, env={**os.environ, "SAMANTHA_HOME":
                                                           str(home)})


def stored_cycles(home: Path) -> list:
    with RunStore(home / "history.sqlite3") as store:
        return store.get_run(store.latest_run_id()).cycles


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("error")]


@pytest.mark.timeout(120)
def test_the_cli_cuts_a_server_that_streams_forever_at_max_tokens(hostile_home) -> None:
    home, servers = hostile_home
    servers["fs"] = HostileServer({CHAT: forever})
    add_backends(home, servers)
    ran = samantha(home, "run", "--prompts", "Hi.", "-m", "hostile@fs", "--max-tokens", "20")
    assert ran.returncode == 0, ran.stderr
    cycle, = stored_cycles(home)
    assert (cycle.status, cycle.response, cycle.tokens) == ("done", "tok " * 20, 20)
    generated = samantha(home, "generate", "Hi.", "-m", "hostile@fs", "--max-tokens", "5")
    assert (generated.returncode, generated.stdout.strip()) == (0, "tok tok tok tok tok")


@pytest.mark.timeout(120)
def test_the_cli_says_which_limit_cut_an_answer_and_keeps_what_came_before(hostile_home
                                                                            ) -> None:
    home, servers = hostile_home
    servers["gap"] = HostileServer({CHAT: tokens_then(2, comments(0.2))})
    servers["line"] = HostileServer({CHAT: tokens_then(3, long_line(64 * 1024 * 1024))})
    add_backends(home, servers, gap={"token_gap_seconds": 1})
    ran = samantha(home, "run", "--prompts", "Hi.", "-m", "hostile@gap", "-m", "hostile@line",
                   "--max-tokens", "20")
    assert ran.returncode == 1, ran.stderr
    first, second = error_lines(ran.stderr)
    assert first.startswith("error in cycle 1 (hostile@gap): The answer from backend gap was "
                            "cut at token_gap_seconds = 1 s")
    assert second.startswith("error in cycle 2 (hostile@line): The answer from backend line "
                             "was cut at line_bytes = 8 MiB")
    cycles = stored_cycles(home)
    assert [(c.status, c.response) for c in cycles] == [("failed", "a0 a1 "),
                                                         ("failed", "a0 a1 a2 ")]
    assert "token_gap_seconds" in cycles[0].error and "line_bytes" in cycles[1].error


@pytest.mark.timeout(60)
def test_ctrl_c_ends_the_cli_while_a_server_says_nothing(hostile_home) -> None:
    home, servers = hostile_home
    servers["mute"] = HostileServer({CHAT: silent})
    add_backends(home, servers)
    process = subprocess.Popen(
        [sys.executable, "-m", "samantha", "run", "--prompts", "Hi.", "-m", "hostile@mute"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "SAMANTHA_HOME": str(home)})
    asked = servers["mute"].asked
    assert asked.wait(30), "the CLI never sent its request"
    pressed = time.monotonic()
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=10)
    assert time.monotonic() - pressed < 2.0
    assert process.returncode == 130 and "interrupted" in stderr
    assert [c.status for c in stored_cycles(home)] == ["interrupted"]


@pytest.mark.timeout(60)
def test_backends_check_refuses_a_huge_model_list_and_names_a_redirect(hostile_home) -> None:
    home, servers = hostile_home
    servers["huge"] = HostileServer({"GET /v1/models": huge_json(1024 * 1024 * 1024, False)})
    servers["moved"] = HostileServer({"GET /v1/models": redirect("http://127.0.0.1:9/v1/models")})
    add_backends(home, servers)
    huge = samantha(home, "backends", "check", "huge")
    # a bound met on the way is a failure (1); an address that redirects is the user's to fix (2)
    assert huge.returncode == 1 and len(huge.stderr.strip().splitlines()) == 1
    assert "/v1/models was refused at body_bytes = 16 MiB" in huge.stderr
    assert servers["huge"].sent < 64 * 1024 * 1024  # the rest of the GiB was never read
    moved = samantha(home, "backends", "check", "moved")
    assert moved.returncode == 2 and len(moved.stderr.strip().splitlines()) == 1
    assert ("redirected /v1/models to http://127.0.0.1:9/v1/models (307); Samantha does not "
            "follow redirects: give that address instead") in moved.stderr


@pytest.mark.timeout(60)
def test_a_backends_limits_are_set_shown_and_checked(hostile_home) -> None:
    home, servers = hostile_home
    servers["slow"] = HostileServer({})
    added = samantha(home, "backends", "add", "slow", servers["slow"].url, "--limit",
                     "token_gap_seconds=300", "--limit", "line_bytes=1048576")
    assert added.returncode == 0, added.stderr
    assert json.loads((home / "backends.json").read_text())["slow"] == {
        "url": servers["slow"].url, "kind": "openai", "token_gap_seconds": 300,
        "line_bytes": 1048576}
    listed = samantha(home, "backends", "list").stdout
    assert "(openai, line_bytes 1 MiB, token_gap_seconds 300 s)" in listed
    checked = samantha(home, "backends", "check", "slow").stdout
    assert ("limits: line_bytes 1 MiB, answer_bytes 16 MiB, body_bytes 16 MiB, "
            "first_token_seconds 600 s, token_gap_seconds 300 s, answer_seconds 3600 s"
            ) in checked
    refused = samantha(home, "backends", "add", "slow", servers["slow"].url, "--limit",
                       "answer_seconds=1e9")
    assert refused.returncode == 2 and len(refused.stderr.strip().splitlines()) == 1
    assert "answer_seconds 1000000000 is out of range: use a value from 0.1 to 604800" \
        in refused.stderr
