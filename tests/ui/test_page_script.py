"""The middleware that puts our first script in the page's head."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import HTMLResponse, JSONResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from samantha.ui.serving.page_script import HeadScript

PAGE = "<!doctype html><html><head><script type=module src=app.js></script></head></html>"


def client() -> TestClient:
    async def page(request):
        return HTMLResponse(PAGE)

    async def data(request):
        return JSONResponse({"head": "<head>"})

    app = Starlette(routes=[Route("/", page), Route("/other", page), Route("/data", data)],
                    middleware=[Middleware(HeadScript, script="window.first = 1;")])
    return TestClient(app)


def test_the_script_comes_before_every_other_script_of_the_page() -> None:
    response = client().get("/")
    assert response.text.startswith("<!doctype html><html><head><script>window.first = 1;"
                                    "</script><script type=module")
    assert int(response.headers["content-length"]) == len(response.content)


def test_other_paths_and_other_types_are_left_alone() -> None:
    with client() as test:
        assert test.get("/other").text == PAGE
        assert test.get("/data").json() == {"head": "<head>"}
        assert test.head("/").status_code in (200, 405)

