"""What in a page could run a script, load something or navigate by itself, as a browser reads
it: the check of the tests that make pages from hostile model text (tests/docs/test_inert.py,
tests/ui/test_inert_answers.py)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "xlink:href", "data",
                            "poster", "background", "cite", "srcset", "ping", "to", "values"})
SAFE_URL = re.compile(r"(https?|mailto):")
EMBEDDED_IMAGE = re.compile(r"data:image/(png|jpeg|gif|webp)[;,]")
SCHEME = re.compile(r"[a-z][a-z0-9+.-]*:")
NEVER = frozenset({"script", "frame", "frameset", "object", "embed", "applet", "form", "base",
                   "link", "portal", "animate", "set", "foreignobject", "use", "noscript",
                   "template"})
ACTIVE_CSS = re.compile(r"url\(|@import|expression|javascript|\\|<")


class Dangers(HTMLParser):
    """What in a page could run a script, load something or navigate by itself, as a browser's
    parser sees it (attribute values with their entities decoded); a frame's ``srcdoc`` is read
    as a page of its own."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.feed(page)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag in NEVER:
            self.found.append(f"<{tag}>")
        if tag in ("iframe", "frame") and ("sandbox" not in values
                                           or "allow-scripts" in values["sandbox"]):
            self.found.append(f"<{tag}> that may run scripts")
        if tag == "meta" and values.get("http-equiv", "").lower() not in (
                "", "content-security-policy"):
            self.found.append(f"<meta http-equiv={values['http-equiv']}>")
        for name, value in values.items():
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}>")
            elif name == "srcdoc":
                self.found += [f"srcdoc: {d}" for d in Dangers(value).found]
            elif name == "style" and ACTIVE_CSS.search(_squeezed(value)):
                self.found.append(f"<{tag} style={value!r}>")
            elif name in URL_ATTRIBUTES or (tag in ("animate", "set") and name == "attributename"):
                self._url(tag, name, value)

    def _url(self, tag: str, name: str, value: str) -> None:
        url = re.sub(r"[\x00-\x20\x7f]", "", value).lower()
        if not SCHEME.match(url) or SAFE_URL.match(url):
            return
        if tag == "img" and name == "src" and EMBEDDED_IMAGE.match(url):
            return
        self.found.append(f"<{tag} {name}={value!r}>")

    def handle_data(self, data: str) -> None:
        if self.lasttag == "style" and ACTIVE_CSS.search(_squeezed(data)):
            self.found.append(f"<style>{data[:60]!r}")


def _squeezed(css: str) -> str:
    return re.sub(r"\s+|/\*.*?\*/", "", css, flags=re.S).lower()
