"""Find GGUF download links in pasted text: a Hugging Face repository page's HTML, a list of
links, prose. Every link comes out as a normalised ``resolve`` URL, once, in order."""

from __future__ import annotations

import html
import re

from samantha.core.errors import ModelError
from samantha.models.download import parse_model_url

_ABSOLUTE = re.compile(r"""https?://[^\s"'<>()\[\]]+?\.gguf(?:\?[^\s"'<>()\[\]]*)?(?=[\s"'<>()\[\],;]|$)""",
                       re.I)
_RELATIVE = re.compile(r"""href\s*=\s*["'](?P<href>/[^"']+?\.gguf(?:\?[^"']*)?)["']""", re.I)


def extract_links(text: str, host: str = "https://huggingface.co") -> list[str]:
    """Every ``.gguf`` link in ``text``, normalised (``blob`` -> ``resolve``, query dropped)."""
    text = html.unescape(text)
    found: list[tuple[int, str]] = [(m.start(), m.group()) for m in _ABSOLUTE.finditer(text)]
    found += [(m.start(), host.rstrip("/") + m.group("href")) for m in _RELATIVE.finditer(text)]
    links: list[str] = []
    for _, raw in sorted(found):
        try:
            url = parse_model_url(raw).url
        except ModelError:
            continue
        if url not in links:
            links.append(url)
    return links
