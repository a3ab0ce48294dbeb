"""The doors of the web UI, as a table of requests: what each check lets in and what it refuses
(the middleware alone, around a stand-in app; the real server is in test_doors_e2e.py)."""

from __future__ import annotations

import asyncio
import os
import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from samantha.ui.serving.doors import (
    BODY_LIMIT,
    UPLOAD_LIMIT,
    DoorKeeper,
    Doors,
    allowed_hosts,
    host_name,
    server_key,
)

KEY = "k" * 32
PORT = 7931
OURS = f"127.0.0.1:{PORT}"


def keeper(password: bool = False, host: str = "127.0.0.1",
           logged_in: bool = False) -> tuple[DoorKeeper, list[dict]]:
    seen: list[dict] = []

    async def app(scope, receive, send):
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        seen.append({**scope, "body": body})
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"text/html")]})
        await send({"type": "http.response.body", "body": b"the app"})

    hosts, any_ip = allowed_hosts(host)
    doors = Doors(hosts, any_ip, KEY, PORT, password, "/tmp/samantha-ui-abc")
    return DoorKeeper(app, doors, lambda scope: logged_in,
                      lambda scope: [("access-token-unsecure-x", "t")],
                      lambda kind: f"<p>key page: {kind}</p>"), seen


def call(door: DoorKeeper, path: str = "/gradio_api/info", method: str = "GET",
         headers: dict[str, str] | None = None, body: bytes = b"", query: str = "",
         chunks: list[bytes] | None = None) -> tuple[int, dict[str, str], bytes]:
    sent = {"host": OURS, **(headers or {})}
    scope = {"type": "http", "method": method, "path": path, "query_string": query.encode(),
             "headers": [(k.lower().encode(), v.encode()) for k, v in sent.items()],
             "client": ("127.0.0.1", 5000), "root_path": ""}
    parts = chunks if chunks is not None else [body]
    messages = [{"type": "http.request", "body": part, "more_body": i < len(parts) - 1}
                for i, part in enumerate(parts)]
    answer: dict = {"headers": {}, "body": b""}

    async def receive():
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message):
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]
            answer["headers"] = {k.decode(): v.decode() for k, v in message["headers"]}
        else:
            answer["body"] += message.get("body", b"")

    with ThreadPoolExecutor(1) as pool:  # a loop of its own (Playwright may hold this one)
        pool.submit(lambda: asyncio.run(door(scope, receive, send))).result()
    return answer["status"], answer["headers"], answer["body"]


WITH_KEY = {"cookie": f"samantha-key-{PORT}={KEY}"}


@pytest.mark.parametrize("host", ["attacker.example:7931", "127.0.0.1.nip.io:7931",
                                  "localhost.attacker.example", "", "192.168.1.20:7931"])
def test_a_foreign_host_is_refused_even_with_the_key(host: str) -> None:
    door, seen = keeper()
    status, _, body = call(door, headers={**WITH_KEY, "host": host})
    assert status == 403 and b"only its own address" in body and seen == []


@pytest.mark.parametrize("host", [OURS, f"localhost:{PORT}", f"[::1]:{PORT}", "LOCALHOST"])
def test_our_own_names_come_in_with_the_key(host: str) -> None:
    door, seen = keeper()
    assert call(door, headers={**WITH_KEY, "host": host})[0] == 200 and len(seen) == 1


def test_listening_on_every_address_admits_ip_literals_and_this_computers_names() -> None:
    door, _ = keeper(password=True, host="0.0.0.0", logged_in=True)
    for host in ("192.168.1.20:7931", "[fe80::1]:7931", f"{os.uname().nodename}:7931"):
        assert call(door, headers={"host": host})[0] == 200, host
    assert call(door, headers={"host": "attacker.example:7931"})[0] == 403


@pytest.mark.parametrize("origin", [f"http://127.0.0.1:{PORT + 1}", "http://localhost:7931",
                                    "null", "http://attacker.example:7931",
                                    f"http://127.0.0.1:{PORT}.attacker.example"])
def test_a_request_from_another_origin_is_refused(origin: str) -> None:
    door, seen = keeper()
    status, _, body = call(door, method="POST", path="/gradio_api/call/run_code_now",
                           headers={**WITH_KEY, "origin": origin})
    assert status == 403 and b"its own page" in body and seen == []


def test_our_own_origin_is_welcome() -> None:
    door, _ = keeper()
    assert call(door, method="POST", path="/gradio_api/queue/join",
                headers={**WITH_KEY, "origin": f"http://{OURS}"})[0] == 200


@pytest.mark.parametrize("site", ["cross-site", "same-site"])
def test_a_request_another_site_made_is_refused_even_without_origin(site: str) -> None:
    door, seen = keeper()
    for path in ("/gradio_api/file=/tmp/x.png", "/samantha/runs", "/gradio_api/info"):
        headers = {**WITH_KEY, "sec-fetch-site": site, "sec-fetch-mode": "no-cors"}
        assert call(door, path=path, headers=headers)[0] == 403, path
    assert seen == []


def test_a_link_from_another_site_opens_the_page_and_nothing_else() -> None:
    door, _ = keeper()
    navigation = {**WITH_KEY, "sec-fetch-site": "cross-site", "sec-fetch-mode": "navigate"}
    assert call(door, path="/", headers=navigation)[0] == 200
    assert call(door, path="/gradio_api/info", headers=navigation)[0] == 403
    assert call(door, path="/", method="POST", headers=navigation)[0] == 403


@pytest.mark.parametrize("path,method", [
    ("/", "GET"), ("/gradio_api/info", "GET"), ("/openapi.json", "GET"),
    ("/gradio_api/openapi.json", "GET"), ("/config", "GET"), ("/gradio_api/cancel", "POST"),
    ("/gradio_api/reset", "POST"), ("/gradio_api/call/open_jupyter", "POST"),
    ("/gradio_api/queue/join", "POST"), ("/gradio_api/upload", "POST"),
    ("/samantha/runs", "GET"), ("/samantha/live/abc", "GET"), ("/assets/index.js", "GET"),
    ("/gradio_api/startup-events", "POST")])
def test_without_the_key_nothing_answers(path: str, method: str) -> None:
    door, seen = keeper()
    status, _, body = call(door, path=path, method=method)
    assert status == 401 and seen == [], path
    wrong = {"cookie": f"samantha-key-{PORT}={'x' * 32}", "authorization": "Bearer nope"}
    assert call(door, path=path, method=method, headers=wrong)[0] == 401


def test_the_key_comes_as_a_cookie_or_a_bearer_header() -> None:
    door, seen = keeper()
    assert call(door, headers={"authorization": f"Bearer {KEY}"})[0] == 200
    assert call(door, headers={"cookie": f"other=1; samantha-key-{PORT}={KEY}"})[0] == 200
    assert call(door, headers={"cookie": f"samantha-key-{PORT + 1}={KEY}"})[0] == 401
    assert len(seen) == 2


def test_the_page_without_the_key_says_how_to_get_in() -> None:
    door, _ = keeper()
    status, headers, body = call(door, path="/", headers={"accept": "text/html"})
    assert status == 401 and body == b"<p>key page: needed</p>"
    assert "script-src" not in headers["content-security-policy"]
    assert "default-src 'none'" in headers["content-security-policy"]


def test_the_keys_address_sets_the_cookie_and_leaves_the_key_out_of_the_address() -> None:
    door, seen = keeper()
    status, headers, _ = call(door, path="/", query=f"key={KEY}&__theme=dark")
    assert status == 303 and headers["location"] == "/?__theme=dark" and seen == []
    cookie = headers["set-cookie"]
    assert cookie.startswith(f"samantha-key-{PORT}={KEY};")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    status, _, body = call(door, path="/", query="key=wrong")
    assert status == 401 and body == b"<p>key page: wrong</p>"


def test_with_a_password_the_login_page_answers_and_the_rest_waits_for_the_login() -> None:
    door, seen = keeper(password=True)
    for path in ("/", "/assets/index-abc.js", "/theme.css", "/gradio_api/login_check"):
        assert call(door, path=path)[0] == 200, path
    assert call(door, path="/login", method="POST", body=b"username=a&password=b")[0] == 200
    for path, method in (("/gradio_api/info", "GET"), ("/gradio_api/cancel", "POST"),
                         ("/gradio_api/reset", "POST"), ("/samantha/runs", "GET"),
                         ("/gradio_api/openapi.json", "GET")):
        assert call(door, path=path, method=method)[0] == 401, path
    status, headers, _ = call(door, path="/", query=f"key={KEY}")
    assert status == 303 and "access-token-unsecure-x=t" in str(headers)  # the key logs in


def test_with_a_password_a_login_comes_in() -> None:
    door, _ = keeper(password=True, logged_in=True)
    assert call(door, path="/gradio_api/info")[0] == 200
    other_port = {"origin": f"http://127.0.0.1:{PORT + 1}"}  # cannot ride the login
    assert call(door, path="/gradio_api/info", headers=other_port)[0] == 403


def test_bodies_past_their_limit_are_refused_before_they_are_read() -> None:
    door, seen = keeper()
    big = {**WITH_KEY, "content-length": str(UPLOAD_LIMIT + 1)}
    status, _, body = call(door, path="/gradio_api/upload", method="POST", headers=big)
    assert status == 413 and b"larger than 64 MB" in body and seen == []
    big = {**WITH_KEY, "content-length": str(BODY_LIMIT + 1)}
    assert call(door, path="/gradio_api/queue/join", method="POST", headers=big)[0] == 413
    voice = {**WITH_KEY, "content-length": "600000000"}
    assert call(door, path="/samantha/voice/abc", method="POST", headers=voice)[0] == 413
    bad = {**WITH_KEY, "content-length": "-1"}
    assert call(door, path="/gradio_api/queue/join", method="POST", headers=bad)[0] == 413
    chunked = [b"x" * 2**20] * 9  # 9 MiB without a length: cut while it is read
    status, _, body = call(door, path="/gradio_api/queue/join", method="POST",
                           headers=WITH_KEY, chunks=chunked)
    assert status == 413 and seen == []
    small = call(door, path="/gradio_api/queue/join", method="POST", headers=WITH_KEY,
                 chunks=[b"a" * 100, b"b" * 100])
    assert small[0] == 200 and seen[-1]["body"] == b"a" * 100 + b"b" * 100


def test_every_answer_forbids_foreign_frames_and_published_files_are_sandboxed() -> None:
    door, _ = keeper()
    _, headers, _ = call(door, path="/", headers=WITH_KEY)
    assert headers["x-frame-options"] == "SAMEORIGIN"
    assert headers["content-security-policy"] == "frame-ancestors 'self'"
    _, headers, _ = call(door, path="/gradio_api/file=/tmp/samantha-ui-abc/shown/f/page.html",
                         headers=WITH_KEY)
    policy = headers["content-security-policy"]
    assert policy.startswith("sandbox;") and "script-src" not in policy
    assert "default-src 'none'" in policy
    assert headers["content-disposition"] == "inline"  # shown, not downloaded
    assert headers["content-type"].startswith("text/html")


def test_host_names_are_read_without_their_port() -> None:
    assert host_name("LocalHost:7860") == "localhost"
    assert host_name("[::1]:7860") == "::1"
    assert host_name("::1") == "::1"
    assert host_name("[::1") == ""


def test_the_key_is_made_once_and_only_its_owner_reads_it(tmp_path: Path) -> None:
    key = server_key(tmp_path)
    assert len(key) >= 32 and server_key(tmp_path) == key
    mode = stat.S_IMODE((tmp_path / "ui-key").stat().st_mode)
    assert mode == 0o600
    (tmp_path / "ui-key").unlink()
    assert server_key(tmp_path) != key  # deleting the file makes a new key
