"""Remote backends as the user knows them (workbench/backends.py): what kind a server is, found
from what it answers (on an ``httpx.MockTransport``); backends.json read and written; which
backend serves a model entry such as ``gemma@lab`` or ``gemma@*``, and which is least busy."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from samantha.cli import cli
from samantha.core.backend_specs import BackendError, BackendSpec, RemoteRef
from samantha.core.errors import InputError
from samantha.engines import remote_http
from samantha.engines.llama_server import LlamaServer
from samantha.engines.ollama import Ollama
from samantha.engines.openai_http import OpenAICompatible
from samantha.workbench.backends import (
    Remotes,
    detect_kind,
    open_adapter,
    read_backends,
    write_backends,
)

Routes = dict[str, Any]  # "GET /path" -> a status, or (status, JSON or bytes)
LLAMA_SERVER: Routes = {"GET /props": (200, {"chat_template": "{{ x }}", "total_slots": 4,
                                             "default_generation_settings": {"n_ctx": 8192}}),
                        "GET /health": 200,
                        "GET /v1/models": (200, {"data": [{"id": "gemma"}]})}
OLLAMA: Routes = {"GET /api/tags": (200, {"models": [{"name": "gemma3:270m"}]}),
                  "GET /api/version": (200, {"version": "0.13.0"})}
OPENAI: Routes = {"GET /v1/models": (200, {"data": [{"id": "qwen", "owned_by": "vllm"}]})}


class Server:
    """A backend made of routes, keeping the paths it was asked."""

    def __init__(self, routes: Routes) -> None:
        self.routes = routes
        self.asked: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        key = f"{request.method} {request.url.path}"
        self.asked.append(key)
        answer = self.routes.get(key, 404)
        if isinstance(answer, Exception):
            raise answer
        status, body = answer if isinstance(answer, tuple) else (answer, {})
        if isinstance(body, bytes):
            return httpx.Response(status, content=body)
        return httpx.Response(status, json=body)


def http(server: Callable[[httpx.Request], httpx.Response],
         spec: BackendSpec | None = None) -> remote_http.Http:
    spec = spec or BackendSpec("lab", "http://lab:8080")
    return remote_http.Http(spec, transport=httpx.MockTransport(server))


@pytest.fixture
def network(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Server]]:
    """Backends answer from the Server of their URL's host in the returned table."""
    servers: dict[str, Server] = {}
    made: list[remote_http.Http] = []
    real = remote_http.Http

    def client(spec: BackendSpec) -> remote_http.Http:
        host = httpx.URL(spec.url).host
        made.append(real(spec, transport=httpx.MockTransport(
            lambda request: servers[host](request))))
        return made[-1]

    monkeypatch.setattr(remote_http, "Http", client)
    yield servers
    for made_client in made:
        made_client.close()


@pytest.mark.parametrize("routes, kind", [
    (LLAMA_SERVER, "llama-server"),
    ({**LLAMA_SERVER, "GET /health": 503}, "llama-server"),  # still loading its model
    (OLLAMA, "ollama"),
    (OPENAI, "openai"),
    ({"GET /v1/models": 401}, "openai"),  # wants a key: still an OpenAI-compatible server
    ({"GET /v1/models": 403}, "openai"),
    ({"GET /props": 200, "GET /health": 404, **OPENAI}, "openai"),  # /props alone is not enough
], ids=["llama-server", "llama-server loading", "ollama", "openai", "401", "403",
        "props without health"])
def test_the_kind_is_found_from_what_the_server_answers(routes: Routes, kind: str) -> None:
    server = Server(routes)
    assert detect_kind(http(server)) == kind
    assert server.asked[0] == "GET /props"  # llama-server first: it answers /v1/models too


NONE = ("Backend lab at http://lab:8080 answers none of /props (llama-server), /api/tags "
        "(Ollama) or /v1/models (OpenAI-compatible). Is the server running there? Give --kind "
        "if it is one of these behind another path.")


@pytest.mark.parametrize("routes", [
    {},  # 404 everywhere
    {"GET /v1/models": 500, "GET /api/tags": 502},
    {f"GET {path}": httpx.ConnectError("Connection refused")
     for path in ("/props", "/health", "/api/tags", "/v1/models")},
], ids=["404 everywhere", "5xx", "unreachable"])
def test_a_server_of_no_known_kind_is_refused_saying_what_was_asked(routes: Routes) -> None:
    with pytest.raises(BackendError) as refused:
        detect_kind(http(Server(routes)))
    assert str(refused.value) == NONE


def test_a_redirect_met_on_the_way_is_named_not_followed() -> None:
    asked: list[str] = []

    def moved(request: httpx.Request) -> httpx.Response:
        asked.append(request.url.path)
        return httpx.Response(301, headers={"location": "https://lab.example/api/props"})

    with pytest.raises(BackendError, match=r"redirected /props to https://lab\.example/api/props "
                                           r"\(301\); Samantha does not follow redirects: give "
                                           r"that address instead \(`samantha backends add lab "
                                           r"https://lab\.example/api`\)"):
        detect_kind(http(moved))
    assert asked == ["/props"]


@pytest.mark.parametrize("routes, adapter", [
    (LLAMA_SERVER, LlamaServer), (OLLAMA, Ollama), (OPENAI, OpenAICompatible)])
def test_open_adapter_finds_the_kind_of_an_auto_backend(network, routes, adapter) -> None:
    network["lab"] = Server(routes)
    opened = open_adapter(BackendSpec("lab", "http://lab:8080"))
    try:
        assert type(opened) is adapter and opened.spec.kind == adapter.kind
    finally:
        opened.close()


def test_a_backend_of_a_given_kind_is_not_asked_what_it_is(network) -> None:
    network["lab"] = server = Server(OPENAI)
    opened = open_adapter(BackendSpec("lab", "http://lab:8080", "ollama"))
    assert type(opened) is Ollama and server.asked == []
    opened.close()


def test_check_tries_a_backend_and_reports_what_it_found(network, home: Path) -> None:
    network["one"], network["two"] = Server(LLAMA_SERVER), Server(OLLAMA)
    remotes = Remotes(home)
    one = remotes.check(BackendSpec("one", "http://one:8080"))
    assert (one.kind, one.models, one.n_ctx, one.slots) == ("llama-server", ("gemma",), 8192, 4)
    two = remotes.check(BackendSpec("two", "http://two:11434"))
    assert (two.kind, two.models) == ("ollama", ("gemma3:270m",))
    assert "version: 0.13.0" in two.notes


def test_a_web_page_where_a_backend_should_be_is_a_clear_error(network, home: Path) -> None:
    class Anything(dict):  # a web server that answers every path with its home page
        def get(self, key: str, default: Any = None) -> Any:
            return 200, b"<html><body>Welcome</body></html>"

    network["lab"] = Server(Anything())
    with pytest.raises(BackendError) as refused:
        Remotes(home).check(BackendSpec("lab", "http://lab:80"))
    assert str(refused.value) == (
        "Backend lab answered /props with something that is not JSON: "
        "'<html><body>Welcome</body></html>'. Is http://lab:80 the server you meant?")


MODELS = 'an object whose "data" lists the models, each an object with its "id" as text'
TAGS = 'an object whose "models" lists the models, each an object with its "name" as text'


@pytest.mark.parametrize("routes, said", [
    ({"GET /v1/models": (200, [])},
     f"/v1/models with a list ([]), where {MODELS} was expected. Is http://lab:80 an "
     "OpenAI-compatible server"),
    ({"GET /api/tags": (200, [])},
     f"/api/tags with a list ([]), where {TAGS} was expected. Is http://lab:80 an Ollama server"),
    ({**LLAMA_SERVER, "GET /v1/models": (200, {"data": [1]})},
     f"/v1/models with a list ([1]), where {MODELS} was expected. Is http://lab:80 a "
     "llama-server"),
    ({**OPENAI, "GET /v1/models": (200, {"data": [{"owned_by": "vllm"}]})},
     f'/v1/models with an object ({{"owned_by": "vllm"}}), where {MODELS} was expected'),
    ({**OLLAMA, "GET /api/tags": (200, {"models": {"name": "gemma"}})},
     f'/api/tags with an object ({{"name": "gemma"}}), where {TAGS} was expected'),
    ({**LLAMA_SERVER, "GET /props": (200, ["n_ctx", 8192])},
     "/props with a list ([\"n_ctx\", 8192]), where an object (the server's properties) was "
     "expected"),
    ({**LLAMA_SERVER, "GET /props": (200, {"default_generation_settings": {"n_ctx": "8k"}})},
     '/props with text ("8k"), where a whole number of tokens ("n_ctx") was expected'),
    ({**LLAMA_SERVER, "GET /props": (200, {"chat_template": 7})},
     '/props with the number 7, where text ("chat_template") was expected'),
], ids=["openai: a list", "ollama: a list", "llama-server: ids not objects",
        "openai: no id", "ollama: models not a list", "llama-server: props a list",
        "llama-server: n_ctx text", "llama-server: template a number"])
def test_json_of_the_wrong_shape_is_a_clear_error(network, home: Path, routes, said) -> None:
    network["lab"] = Server(routes)
    with pytest.raises(BackendError) as refused:
        Remotes(home).check(BackendSpec("lab", "http://lab:80"))
    message = str(refused.value)
    assert message.startswith(f"Backend lab answered {said}") and "\n" not in message
    assert message.endswith(", and the one you meant?")


def test_backends_check_says_so_in_one_line_and_exits_1(network, home: Path) -> None:
    network["lab"] = Server({"GET /api/tags": (200, [])})
    write_backends(home, {"lab": BackendSpec("lab", "http://lab:11434")})
    result = CliRunner().invoke(cli, ["backends", "check", "lab"])
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.startswith("error: Backend lab answered /api/tags with a list ([]), ")
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_a_backend_answering_json_of_the_wrong_shape_serves_nothing(network, home: Path
                                                                      ) -> None:
    """MODEL@* skips it, as it skips a backend that cannot be reached."""
    network["bad"], network["good"] = Server({"GET /v1/models": (200, [])}), Server(OPENAI)
    write_backends(home, {name: BackendSpec(name, f"http://{name}:8000", "openai")
                          for name in ("bad", "good")})
    remotes = Remotes(home)
    assert remotes.places(RemoteRef("qwen", "*")) == [("good", "qwen")]
    with pytest.raises(BackendError, match=r"^Backend bad answered /v1/models with a list"):
        remotes.places(RemoteRef("qwen", "bad"))


# -- backends.json -------------------------------------------------------------------------------
def test_backends_json_round_trips_without_keys(home: Path) -> None:
    specs = {"lab": BackendSpec("lab", "http://10.0.0.2:8080/", "llama-server"),
             "cloud": BackendSpec("cloud", "https://api.example", "openai", "CLOUD_KEY")}
    write_backends(home, specs)
    assert read_backends(home) == {**specs, "lab": BackendSpec("lab", "http://10.0.0.2:8080",
                                                               "llama-server")}
    assert json.loads((home / "backends.json").read_text())["cloud"] == {
        "url": "https://api.example", "kind": "openai", "api_key_env": "CLOUD_KEY"}
    assert not (home / "backends.tmp").exists()


@pytest.mark.parametrize("text, words", [
    ("{", "Cannot read {path}: Expecting property name enclosed in double quotes: line 1 "
          "column 2 (char 1). Fix it, or delete it and add the backends again with `samantha "
          "backends add`."),
    ('["http://lab"]', "{path} must hold a JSON object of backends, not ['http://lab'] (a list)"),
    ('{"lab": 8080}', "lab must be a URL in quotes or a table with url, kind and api_key_env, "
                      "got 8080"),
    ('{"lab": {"url": "http://lab", "kind": "vllm"}}', "Backend kind 'vllm': use one of auto, "
                                                       "llama-server, openai, ollama"),
    ('{"lab": {"url": "http://lab", "body_bytes": 1000000000000}}', "body_bytes"),
    ('{"lab": {"url": "lab:8080"}}', "give the server's address with its scheme"),
], ids=["not JSON", "a list", "a number", "a kind", "above a ceiling", "no scheme"])
def test_a_bad_backends_file_is_refused_in_one_line_naming_it(home: Path, text, words) -> None:
    path = home / "backends.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as refused:
        read_backends(home)
    message = str(refused.value)
    assert words.format(path=path) in message and str(path) in message and "\n" not in message


def test_the_limits_of_a_backends_entry_bound_what_it_may_send(network, home: Path) -> None:
    (home / "backends.json").write_text(json.dumps(
        {"lab": {"url": "http://lab:8000", "kind": "openai", "body_bytes": 2048}}))
    many = {"data": [{"id": f"model-{i}"} for i in range(300)]}  # about 7 KB
    network["lab"] = Server({"GET /v1/models": (200, many)})
    with pytest.raises(BackendError, match=r"Backend lab's answer to /v1/models was refused at "
                                           r"body_bytes = 2048 bytes"):
        Remotes(home).models("lab")


# -- which backend answers -----------------------------------------------------------------------
@pytest.fixture
def lab(network, home: Path) -> Remotes:
    """Three backends: one serves gemma and qwen, two serves gemma, down is unreachable."""
    network["one"] = Server({"GET /v1/models": (200, {"data": [{"id": "gemma"},
                                                               {"id": "qwen"}]})})
    network["two"] = Server({"GET /v1/models": (200, {"data": [{"id": "gemma"}]})})
    network["down"] = Server({"GET /v1/models": httpx.ConnectError("refused")})
    write_backends(home, {name: BackendSpec(name, f"http://{name}:1", "openai")
                          for name in ("one", "two", "down")})
    return Remotes(home)


def test_a_named_backend_must_serve_the_model(lab: Remotes) -> None:
    assert lab.places(RemoteRef("qwen", "one")) == [("one", "qwen")]
    assert lab.places(RemoteRef("", "two")) == [("two", "gemma")]  # its only model
    with pytest.raises(InputError, match=r"^Backend one serves 2 models \(gemma, qwen\): name "
                                         r"one, as MODEL@one\.$"):
        lab.places(RemoteRef("", "one"))
    with pytest.raises(InputError, match=r"^Backend two does not serve 'qwen'; it serves gemma\. "
                                         r"Write one of these, as MODEL@two\.$"):
        lab.places(RemoteRef("qwen", "two"))
    with pytest.raises(InputError, match=r"^No backend named 'three' \(known: down, one, two\)\. "
                                         r"Add it with `samantha backends add three URL`\.$"):
        lab.places(RemoteRef("qwen", "three"))
    with pytest.raises(BackendError, match="Backend down at http://down:1 cannot be reached"):
        lab.places(RemoteRef("gemma", "down"))


def test_any_backend_is_every_one_serving_the_model_now(lab: Remotes, network) -> None:
    assert lab.places(RemoteRef("gemma", "*")) == [("one", "gemma"), ("two", "gemma")]
    assert lab.places(RemoteRef("qwen", "*")) == [("one", "qwen")]
    with pytest.raises(InputError, match=r"^No backend serves 'llama' now \(`samantha backends "
                                         r"list` shows them and their models\)\.$"):
        lab.places(RemoteRef("llama", "*"))
    asked = len(network["one"].asked)
    lab.places(RemoteRef("gemma", "*"))
    assert len(network["one"].asked) == asked  # the model lists are asked once


def test_the_places_of_a_model_are_found_again_when_something_changes(lab: Remotes,
                                                                     network) -> None:
    assert lab.places(RemoteRef("gemma", "*")) == [("one", "gemma"), ("two", "gemma")]
    network["down"] = Server({"GET /v1/models": (200, {"data": [{"id": "gemma"}]})})
    assert lab.places(RemoteRef("gemma", "*")) == [  # it was unreachable: asked again
        ("down", "gemma"), ("one", "gemma"), ("two", "gemma")]
    network["three"] = Server({"GET /v1/models": (200, {"data": [{"id": "gemma"}]})})
    lab.save(BackendSpec("three", "http://three:1", "openai"))
    assert [name for name, _ in lab.places(RemoteRef("gemma", "*"))] == [
        "down", "one", "three", "two"]
    asked = {name: len(server.asked) for name, server in network.items()}
    lab.places(RemoteRef("gemma", "*"))
    assert {name: len(server.asked) for name, server in network.items()} == asked


def test_placement_reads_slots_from_the_server_or_as_declared(network, home: Path) -> None:
    """two says it has 3 slots (``/props``, as servers built on llama.cpp do); one says
    nothing and is declared with 2: cycles go where there is most room for them."""
    network["one"] = Server({"GET /v1/models": (200, {"data": [{"id": "gemma"}]})})
    network["two"] = Server({"GET /v1/models": (200, {"data": [{"id": "gemma"}]}),
                             "GET /props": (200, {"total_slots": 3})})
    write_backends(home, {"one": BackendSpec("one", "http://one:1", "openai", slots=2),
                          "two": BackendSpec("two", "http://two:1", "openai")})
    lab = Remotes(home)
    places = lab.places(RemoteRef("gemma", "*"))
    taken = [lab.placement.take(places)[0] for _ in range(6)]
    assert taken == ["one", "two", "two", "one", "two", "one"]
    assert [(s.name, s.busy, s.slots, s.state) for s in lab.placement.status()] == [
        ("one", 3, 2, "busy"), ("two", 3, 3, "busy")]
    assert lab.placement.take(places, avoid=["one", "two"]) is None
    assert "GET /props" not in network["one"].asked  # declared: not asked


def test_slots_a_server_cannot_have_are_not_believed(network, home: Path) -> None:
    network["big"] = Server({**LLAMA_SERVER, "GET /props": (200, {"total_slots": 10**12})})
    network["odd"] = Server({"GET /v1/models": (200, {"data": [{"id": "gemma"}]}),
                             "GET /props": (200, {"total_slots": "all of them"})})
    write_backends(home, {"big": BackendSpec("big", "http://big:1", "llama-server"),
                          "odd": BackendSpec("odd", "http://odd:1", "openai")})
    lab = Remotes(home)
    lab.places(RemoteRef("gemma", "*"))
    assert [(s.name, s.slots) for s in lab.placement.status()] == [("big", 1), ("odd", 1)]


def test_an_adapter_is_made_once_and_made_again_when_its_backend_changes(
        lab: Remotes, network) -> None:
    first = lab.adapter("one")
    assert lab.adapter("one") is first
    lab.save(BackendSpec("one", "http://two:1", "openai"))  # moved: the old client is closed
    assert first.http.client.is_closed
    assert lab.models("one") == ["gemma"]
    lab.remove("one")
    with pytest.raises(InputError, match=r"^No backend named 'one' to remove \(known: down, "
                                         r"two\)\.$"):
        lab.remove("one")


def test_a_chain_files_backends_stand_beside_the_users(lab: Remotes) -> None:
    lab.add_extra({"side": BackendSpec("side", "http://two:1", "openai")})
    assert sorted(lab.specs()) == ["down", "one", "side", "two"]
    assert lab.places(RemoteRef("", "side")) == [("side", "gemma")]
    adapter = lab.adapter("side")
    lab.add_extra({"side": BackendSpec("side", "http://two:1", "openai")})  # the same: kept
    assert lab.adapter("side") is adapter
    lab.add_extra({"side": BackendSpec("side", "http://one:1", "openai")})  # changed: made again
    assert adapter.http.client.is_closed and lab.models("side") == ["gemma", "qwen"]
