"""``samantha learn`` on a remote backend that sends a token without its candidates (an
OpenAI-compatible server may leave ``logprobs`` out of a chunk): the token is named, not a
crash; with --json it is left out. The backend is an ``httpx.MockTransport``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator

import httpx
import pytest
from click.testing import CliRunner

from samantha.cli import cli
from samantha.core.backend_specs import BackendSpec
from samantha.engines import remote_http
from samantha.workbench.backends import write_backends
from samantha.workbench.facade import Workbench

TOP = [{"token": "Blue", "logprob": -0.1}, {"token": "Red", "logprob": -2.5}]
CHUNKS = [
    {"delta": {"content": "Blue"}, "finish_reason": None,
     "logprobs": {"content": [{"token": "Blue", "logprob": -0.1, "top_logprobs": TOP}]}},
    {"delta": {"content": " sky"}, "logprobs": None, "finish_reason": None},  # no candidates
    {"delta": {}, "logprobs": None, "finish_reason": "stop"},
]


def stream() -> bytes:
    lines = [f"data: {json.dumps({'choices': [{'index': 0, **chunk}]})}\n\n"
             for chunk in CHUNKS]
    return ("".join(lines) + "data: [DONE]\n\n").encode()


def server(request: httpx.Request) -> httpx.Response:
    if request.url.path == "/v1/models":
        return httpx.Response(200, json={"data": [{"id": "gemma", "owned_by": "vllm"}]})
    if request.url.path == "/v1/chat/completions":
        assert json.loads(request.content)["top_logprobs"] == 2  # learning mode asked for them
        return httpx.Response(200, content=stream(),
                              headers={"content-type": "text/event-stream"})
    return httpx.Response(404)


@pytest.fixture
def lab(fake_workbench: Workbench, monkeypatch: pytest.MonkeyPatch) -> Iterator[Workbench]:
    """The fake workbench with a backend ``lab`` that serves ``gemma`` from ``server``."""
    real = remote_http.Http
    monkeypatch.setattr(remote_http, "Http", lambda spec: real(
        spec, transport=httpx.MockTransport(server)))
    write_backends(Path(fake_workbench.home), {"lab": BackendSpec("lab", "http://lab:8000",
                                                                  "openai")})
    yield fake_workbench
    fake_workbench.close()


def learn(bench: Workbench, *more: str) -> list[str]:
    result = CliRunner().invoke(cli, ["learn", "Name a colour.", "-m", "gemma@lab", "--top",
                                      "2", *more], obj=bench)
    assert result.exit_code == 0, (result.output, result.exception)
    assert result.exception is None
    return result.stdout.splitlines()


def test_a_token_without_candidates_is_named_and_the_answer_goes_on(lab: Workbench) -> None:
    lines = learn(lab)
    assert lines[0].startswith("token 1: 'Blue' (id -1, rank 1,")
    assert "'␣sky': the backend sent no candidates for this token" in lines
    assert "Answer: Blue sky" in lines
    assert "Chosen although not the most likely: none" in lines


def test_json_leaves_a_token_without_candidates_out(lab: Workbench) -> None:
    lines = learn(lab, "--json")
    assert [json.loads(line)["piece"] for line in lines] == ["Blue"]
    (step,) = [json.loads(line) for line in lines]
    assert [c["piece"] for c in step["candidates"]] == ["Blue", "Red"]
