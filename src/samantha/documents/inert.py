"""HTML made from a model's text, made inert: cleaned by a sanitiser, and pages that forbid scripts.

A model (or the code it wrote) can write anything, including markup meant for a browser:
``[x](&#106;avascript:…)``, ``<img onerror=…>``, ``<svg><script>``. A hand-written check reads the
text before the browser decodes it and misses such tricks, so every fragment built from that text
goes through :func:`clean`, which uses nh3 (the Python binding of Ammonia, a sanitiser that
parses HTML the way a browser does, entities decoded, and keeps only what is listed below).

Every page Samantha writes (a run's export, the comparison grid, a trace, a code run, the chat's
response pages) is made by :func:`page`: its body cleaned, and a Content-Security-Policy in its
head that forbids scripts, so it stays inert wherever it is opened, from the UI or from a disk.

What is kept: headings, paragraphs, lists, tables, code blocks, quotes, links to http(s) and
mailto, images embedded as raster ``data:`` URIs (png, jpeg, gif, webp; an SVG could carry a
script, a remote image would tell a server the page was read), classes, and a short list of
inline style properties our pages use. Relative links are dropped: a page served by the UI would
resolve them against the UI.
"""

from __future__ import annotations

import html
import re

import nh3

#: The Content-Security-Policy of every page: nothing may load or run but the page's own inline
#: style and its embedded images; a ``<base>`` cannot move its links, a form cannot send. No
#: script source at all: if the sanitiser ever let a script through, the browser would not run it.
PAGE_POLICY = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
               "base-uri 'none'; form-action 'none'")

#: Link targets kept (after entity decoding): the web and e-mail. ``data`` is let past the
#: sanitiser's scheme check only to be held to :data:`EMBEDDED_IMAGE` below.
LINK_SCHEMES = frozenset({"http", "https", "mailto"})

#: The only ``data:`` URIs kept, and only as an image's ``src``: raster images (a figure the code
#: drew). ``data:text/html`` or ``data:image/svg+xml`` could carry a script.
EMBEDDED_IMAGE = re.compile(r"data:image/(png|jpeg|gif|webp)[;,]")

#: Elements whose content goes with them (the rest of an unknown element's text is kept as text).
DROPPED_WITH_CONTENT = frozenset({"script", "style", "template", "noscript", "iframe",
                                  "object", "textarea", "xmp", "noembed", "noframes"})

_HTML_TAGS = frozenset({
    "a", "abbr", "article", "b", "blockquote", "br", "caption", "cite", "code", "col",
    "colgroup", "dd", "del", "details", "dfn", "div", "dl", "dt", "em", "figcaption", "figure",
    "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "i", "img", "ins", "kbd", "li",
    "main", "mark", "ol", "p", "pre", "q", "s", "samp", "section", "small", "span", "strong",
    "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
    "var",
})
# The shapes of our charts (docs/charts.py); no <a>, <use>, <image>, <foreignObject> or <animate>.
_SVG_TAGS = frozenset({"svg", "g", "title", "rect", "text", "line", "polyline", "circle"})

_ATTRIBUTES = {
    "*": {"class", "id", "title", "style", "lang", "dir", "role", "aria-label", "aria-live",
          "tabindex"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "ol": {"start"},
    "table": {"border"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align"},
    "svg": {"xmlns", "viewBox", "width", "height"},
    "rect": {"x", "y", "width", "height", "fill"},
    "text": {"x", "y", "fill", "text-anchor", "font-weight", "transform"},
    "line": {"x1", "y1", "x2", "y2", "stroke", "stroke-width", "stroke-opacity"},
    "polyline": {"points", "fill", "stroke", "stroke-width"},
    "circle": {"cx", "cy", "r", "fill"},
}

#: Inline style properties kept (the rest of a ``style`` attribute is dropped): layout and colour
#: only; no ``position`` (a fixed box over the page), nothing that loads (the policy forbids it).
STYLE_PROPERTIES = frozenset({
    "background", "background-color", "border", "border-radius", "color", "display", "flex",
    "font-family", "font-size", "font-weight", "gap", "height", "margin", "max-width",
    "min-width", "padding", "text-align", "vertical-align", "white-space", "width",
})

_IGNORED_IN_URL = re.compile(r"[\x00-\x20\x7f]")


def _only_embedded_images(tag: str, attribute: str, value: str) -> str | None:
    """A ``data:`` URI survives only as an ``<img src>`` of a raster image. ``value`` is the
    decoded attribute, as the browser would read it (control characters and spaces dropped)."""
    if attribute not in ("href", "src"):
        return value
    url = _IGNORED_IN_URL.sub("", value).lower()
    if not url.startswith("data:"):
        return value
    return value if tag == "img" and attribute == "src" and EMBEDDED_IMAGE.match(url) else None


def clean(fragment: str) -> str:
    """``fragment`` with everything that could run, load or navigate removed."""
    return nh3.clean(
        fragment,
        tags=set(_HTML_TAGS | _SVG_TAGS),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes={tag: set(names) for tag, names in _ATTRIBUTES.items()},
        attribute_filter=_only_embedded_images,
        generic_attribute_prefixes={"data-"},
        url_schemes=set(LINK_SCHEMES | {"data"}),
        url_relative="deny",
        filter_style_properties=set(STYLE_PROPERTIES),
        strip_comments=True,
        link_rel="noopener noreferrer",
    )


def page(title: str, body: str, css: str = "", lang: str | None = None) -> str:
    """A complete HTML5 page: ``body`` cleaned, ``css`` (ours) in its head, and the policy that
    forbids scripts before anything else in it."""
    language = f' lang="{html.escape(lang)}"' if lang else ""
    return (f'<!doctype html>\n<html{language}>\n<head>\n<meta charset="utf-8">\n'
            f'<meta http-equiv="Content-Security-Policy" content="{PAGE_POLICY}">\n'
            '<meta name="referrer" content="no-referrer">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            '<meta name="generator" content="Samantha">\n'
            f"<title>{html.escape(title)}</title>\n<style>{css}</style>\n</head>\n<body>\n"
            f"{clean(body)}\n</body>\n</html>\n")
