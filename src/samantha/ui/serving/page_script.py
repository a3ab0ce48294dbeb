"""A script that must run before Gradio's own, and the ASGI middleware that puts it in the page.

Gradio 6's page shows a loading indicator while it starts. That indicator runs a timer on
``requestAnimationFrame`` and, once the app has loaded and the indicator is gone, never stops
it: the browser then draws 60 frames a second for as long as the tab is open. On a computer
whose cores also run the model, those frames cost about a tenth of generation speed, and they
drain laptop batteries while the page sits idle.

The timer keeps the browser's ``requestAnimationFrame`` from the moment its module loads, so the
fix has to be in place before that: the middleware writes it at the top of the page's
``<head>``. It marks the animation-frame chains that a timer (a callback reading
``performance.now()``) starts while the page loads; when the page is ready
(``samanthaPageReady()``, called by our launch script) those chains stop at their next frame.
Every other animation, and every timer started later, is left alone.
"""

from __future__ import annotations

from typing import Any

FRAME_LEAK_FIX = """
(() => {
  const request = window.requestAnimationFrame.bind(window);
  let loading = true;
  let inLoadingChain = false;
  window.samanthaPageReady = () => { loading = false; };
  window.requestAnimationFrame = (callback) => {
    const chained = inLoadingChain
      || (loading && /performance\\.now\\(\\)/.test(String(callback)));
    if (!chained) return request(callback);
    return request((time) => {
      if (!loading) return;  // the page is ready: this timer's component is gone
      inLoadingChain = true;
      try { callback(time); } finally { inLoadingChain = false; }
    });
  };
})();
"""


class HeadScript:
    """ASGI middleware: serves the page (``GET /``) with ``script`` first in its ``<head>``."""

    def __init__(self, app: Any, script: str) -> None:
        self.app = app
        self.tag = f"<script>{script}</script>".encode()

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or scope["path"] != "/":
            await self.app(scope, receive, send)
            return
        start: dict = {}
        chunks: list[bytes] = []

        async def rewrite(message: dict) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
                return
            if message["type"] != "http.response.body":
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            body = b"".join(chunks)
            headers = [(k, v) for k, v in start.get("headers", [])]
            names = {k.lower(): v for k, v in headers}
            if (names.get(b"content-type", b"").startswith(b"text/html")
                    and b"content-encoding" not in names and b"<head>" in body):
                body = body.replace(b"<head>", b"<head>" + self.tag, 1)
                headers = [(k, v) for k, v in headers if k.lower() != b"content-length"]
                headers.append((b"content-length", str(len(body)).encode()))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, rewrite)
