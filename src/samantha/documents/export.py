"""Export a stored run as Markdown, as a self-contained HTML page, or as JSON.

Pure functions of a :class:`~samantha.core.records.RunRecord`: no file I/O, no SQL. Writing the
result somewhere is the caller's business.

The HTML is python-markdown with ``fenced_code``, ``tables`` and ``sane_lists`` (the predecessor
used no extensions, so code fences and tables came out as paragraphs). Prompts and responses are
untrusted text, so raw HTML in them is shown as text, never rendered (the HTML block and
inline-HTML processors are removed), images that would load something from outside the page
become plain links, and what python-markdown made is then cleaned by :mod:`samantha.documents.inert`
(links keep only http(s) and mailto targets, read as the browser reads them: ``&#106;avascript:``
is ``javascript:``). The page carries a policy that forbids scripts.
"""

from __future__ import annotations

import dataclasses
import json
import re
import types
import xml.etree.ElementTree as etree
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import markdown
from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor

from samantha.core.records import CycleRecord, RunRecord
from samantha.core.verdict import Verdict, verdict_line
from samantha.documents import inert

#: Order of the random-override line (the predecessor's order); unknown names follow.
RANDOM_ORDER = (
    "temperature", "tfs_z", "min_p", "top_p", "typical_p",
    "presence_penalty", "frequency_penalty", "repeat_penalty",
)

#: Order of the settings line; unknown names follow, ``stop`` and ``seed`` come last.
SETTINGS_ORDER = (
    "temperature", "top_k", "tfs_z", "typical_p", "top_p", "min_p",
    "presence_penalty", "frequency_penalty", "repeat_penalty", "penalty_last_n",
    "max_tokens", "n_ctx",
)

#: Chain options shown in the facts list when the run's config has them.
OPTION_KEYS = ("loops", "responses", "feedback", "cumulative", "shuffle", "single")

MARKDOWN_EXTENSIONS = ("fenced_code", "tables", "sane_lists")


# --------------------------------------------------------------------------------------- Markdown


def run_to_markdown(run: RunRecord) -> str:
    """The run as one Markdown document: title, facts, then every cycle in order."""
    parts = [f"# Samantha run {run.id}", _facts(run)]
    parts += [_cycle_markdown(cycle) for cycle in run.cycles]
    return "\n\n".join(part for part in parts if part) + "\n"


def _facts(run: RunRecord) -> str:
    config = run.config or {}
    facts = [f"- Started: {run.started_at}"]
    if run.finished_at:
        facts.append(f"- Finished: {run.finished_at}")
    facts.append(f"- Status: {run.status}")
    if run.stop_reason:
        facts.append(f"- Stop reason: {inline_text(run.stop_reason)}")
    facts += [f"- Note: {inline_text(note)}" for note in run.notes]
    if run.parent:
        p = run.parent
        facts.append(f"- Branch of run {p['run']}, cycle {p['cycle']}: from token {p['step']}, "
                     f"token id {p['token']} instead of the one chosen")
    models = _models(run)
    if models:
        facts.append("- Models: " + ", ".join(inline_text(m) for m in models))
    options = [
        f"{key} {_option_value(config[key])}"
        for key in OPTION_KEYS
        if key in config and config[key] is not None
    ]
    if options:
        facts.append("- Options: " + " · ".join(options))
    text = "\n".join(facts)
    system = config.get("system") or config.get("system_prompt")
    if isinstance(system, str) and system.strip():
        text += "\n\nSystem prompt:\n\n" + _blockquote(system)
    return text


def _models(run: RunRecord) -> list[str]:
    configured = run.config.get("models") if run.config else None
    if isinstance(configured, str):
        return [configured]
    if isinstance(configured, Iterable) and not isinstance(configured, Mapping):
        return [str(model) for model in configured]
    return list(dict.fromkeys(cycle.model for cycle in run.cycles))


def _option_value(value: Any) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    return inline_text(str(value))


def _cycle_markdown(cycle: CycleRecord) -> str:
    parts = [
        f"## {cycle.number}. {inline_text(cycle.model)} — round {cycle.round}, item {cycle.item}",
        _blockquote(cycle.prompt),
    ]
    if cycle.settings:
        parts.append(settings_line(cycle.settings))
    if cycle.random_overrides:
        parts.append(random_line(cycle.random_overrides))
    if cycle.response:
        parts.append(close_open_fence(cycle.response.strip("\n")))
    if cycle.verdict:
        parts.append(f"**{inline_text(verdict_line(Verdict.from_dict(cycle.verdict)))}**")
    problem = _problem(cycle)
    if problem:
        parts.append(problem)
    ending = cycle.finish_reason or cycle.status
    by = f", answered by {inline_text(cycle.answered_by)}" if cycle.answered_by else ""
    parts.append(f"*({cycle.tokens} tokens, {cycle.seconds:.1f} s, {ending}{by})*")
    return "\n\n".join(parts)


def settings_line(settings: Mapping[str, Any]) -> str:
    """``temperature 0.8 · top_k 40 · … · seed 5``: the effective settings on one line."""
    names = [n for n in SETTINGS_ORDER if n in settings]
    names += [n for n in settings if n not in names and n not in ("stop", "seed")]
    pairs = [f"{name} {_value(settings[name])}" for name in names]
    stop = settings.get("stop")
    if stop:
        pairs.append("stop " + _code_span(json.dumps(list(stop), ensure_ascii=False)))
    if "seed" in settings:
        seed = settings["seed"]
        pairs.append(f"seed {'random' if seed is None else seed}")
    return " · ".join(pairs)


def random_line(overrides: Mapping[str, float]) -> str:
    """``RANDOM: temperature (0.53), tfs_z (0.2), …`` in the predecessor's order."""
    names = [n for n in RANDOM_ORDER if n in overrides]
    names += [n for n in overrides if n not in names]
    return "RANDOM: " + ", ".join(f"{name} ({_value(overrides[name])})" for name in names)


def _problem(cycle: CycleRecord) -> str:
    if cycle.status not in ("failed", "skipped") and not cycle.error:
        return ""
    label = cycle.status.upper() if cycle.status in ("failed", "skipped") else "ERROR"
    if not cycle.error:
        return f"**{label}**"
    return f"**{label}:**\n\n{fenced(cycle.error, 'text')}"


def _value(value: Any) -> str:
    return str(value)


def inline_text(text: str) -> str:
    """Text for one Markdown line: line breaks joined, emphasis/link/code characters escaped."""
    text = " ".join(str(text).split())
    return re.sub(r"([\\`*_\[\]])", r"\\\1", text)


def _code_span(text: str) -> str:
    """``text`` as an inline code span, delimited by more backticks than it contains."""
    text = " ".join(text.split())
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    ticks = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def _blockquote(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in text.strip("\n").split("\n"))


def fenced(text: str, lang: str = "") -> str:
    """A code fence around ``text``, longer than any backtick run inside it."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{lang}\n{text.rstrip()}\n{fence}"


_FENCE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")


def close_open_fence(text: str) -> str:
    """``text`` with a closing fence added when it ends inside a code block.

    A response cut off by ``max_tokens`` or by Stop often stops in the middle of a code block;
    left open, the fence would swallow everything after it (the footer and the next cycles).
    """
    open_fence = ""
    for line in text.split("\n"):
        match = _FENCE_RE.match(line)
        if not match:
            continue
        fence, rest = match.groups()
        if not open_fence:
            if not (fence[0] == "`" and "`" in rest):
                open_fence = fence
        elif fence[0] == open_fence[0] and len(fence) >= len(open_fence) and not rest.strip():
            open_fence = ""
    return f"{text}\n{open_fence}" if open_fence else text


# ------------------------------------------------------------------------------------------- HTML


def run_to_html(run: RunRecord) -> str:
    """The run as a complete, self-contained HTML page."""
    title = f"Samantha run {run.id}"
    if run.config and str(run.config.get("prompts", "")).strip():
        title += f" — {run.title}"
    return markdown_to_html_page(run_to_markdown(run), title)


def markdown_to_html_page(markdown_text: str, title: str) -> str:
    """Any Markdown text as a self-contained, inert HTML5 page (raw HTML in the text shown as
    text)."""
    return inert.page(title, f"<main>\n{render_markdown(markdown_text)}\n</main>", _CSS, "en")


def render_markdown(markdown_text: str) -> str:
    """Markdown to a clean HTML fragment: raw HTML escaped, remote images made links, then
    everything that could run or load removed by the sanitiser."""
    renderer = markdown.Markdown(
        extensions=[*MARKDOWN_EXTENSIONS, _SafeExtension()], output_format="html"
    )
    return inert.clean(renderer.convert(markdown_text))


class _SafeExtension(Extension):
    """No raw HTML, blank lines where models forget them, no image loaded from elsewhere."""

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        # After fenced_code (25): code blocks are placeholders by then and stay untouched.
        md.preprocessors.register(_BlankBeforeBlocks(md), "blank_before_blocks", 15)
        md.treeprocessors.register(_ImagesAsLinks(md), "images_as_links", 5)


_TABLE_DELIMITER_RE = re.compile(r"^ {0,3}\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$")
_LIST_START_RE = re.compile(r"^ {0,3}([-*+]|1[.)])[ \t]+\S")
_PLAIN_TEXT_RE = re.compile(r"^[^\s>#|]")


class _BlankBeforeBlocks(Preprocessor):
    """Insert the blank line python-markdown needs before a table or a list that directly follows
    a paragraph line (models write ``Here it is:`` and the table on the next line; CommonMark and
    GitHub accept that, python-markdown would keep it all in one paragraph)."""

    def run(self, lines: list[str]) -> list[str]:
        out: list[str] = []
        for index, line in enumerate(lines):
            following = lines[index + 1] if index + 1 < len(lines) else ""
            starts_table = (
                "|" in line and "|" in following and bool(_TABLE_DELIMITER_RE.match(following))
            )
            starts_list = bool(_LIST_START_RE.match(line))
            previous = out[-1] if out else ""
            if (
                (starts_table or starts_list)
                and _PLAIN_TEXT_RE.match(previous)
                and not _LIST_START_RE.match(previous)
            ):
                out.append("")
            out.append(line)
        return out


class _ImagesAsLinks(Treeprocessor):
    """An image that is not embedded in the page (a ``data:image/`` URI) becomes a link to it, so
    opening the page loads nothing from elsewhere. Whether a link or an embedded image keeps its
    target is the sanitiser's decision (:func:`samantha.documents.inert.clean`)."""

    def run(self, root: etree.Element) -> None:
        for image in root.iter("img"):
            src = image.get("src", "")
            if src.strip().lower().startswith("data:image/"):
                continue
            alt = image.get("alt") or src
            image.tag = "a"
            image.attrib.clear()
            if src:
                image.set("href", src)
            image.text = f"[image: {alt}]"


_CSS = """
:root { color-scheme: light dark; --bg: #f6f6f4; --fg: #1d1d1f; --muted: #5f6368;
  --card: #ffffff; --border: #d9d9d6; --code-bg: #f0f0ec; --quote: #8a8a85; --link: #1a5fb4; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #161618; --fg: #e6e6e3; --muted: #a0a0a0; --card: #1f1f22;
    --border: #3a3a3e; --code-bg: #2a2a2e; --quote: #77777c; --link: #8ab4f8; }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg);
  font: 16px/1.6 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", sans-serif; }
main { max-width: 50rem; margin: 2rem auto; padding: 1.5rem 2rem; background: var(--card);
  border: 1px solid var(--border); border-radius: 8px; overflow-wrap: break-word; }
h1, h2, h3 { line-height: 1.25; }
h2 { margin-top: 2.5rem; padding-top: 1rem; border-top: 1px solid var(--border); }
a { color: var(--link); }
blockquote { margin: 1rem 0; padding: 0.25rem 1rem; border-left: 4px solid var(--quote);
  color: var(--muted); }
code, pre { font-family: ui-monospace, "SF Mono", Menlo, Consolas, "Liberation Mono", monospace;
  font-size: 0.9em; }
code { background: var(--code-bg); padding: 0.1em 0.3em; border-radius: 4px; }
pre { background: var(--code-bg); padding: 0.8rem 1rem; border-radius: 6px; overflow-x: auto;
  white-space: pre; line-height: 1.45; }
pre code { background: none; padding: 0; }
table { border-collapse: collapse; margin: 1rem 0; display: block; overflow-x: auto; }
th, td { border: 1px solid var(--border); padding: 0.35rem 0.7rem; text-align: left; }
th { background: var(--code-bg); }
img { max-width: 100%; }
@media print { body { background: none; } main { border: none; margin: 0; max-width: none; } }
"""


# ------------------------------------------------------------------------------------------- JSON


def run_to_json(run: RunRecord) -> str:
    """The run and all its cycles as JSON (UTF-8 text kept as is, indented)."""
    return json.dumps(dataclasses.asdict(run), ensure_ascii=False, indent=2)


#: Format name (as in a file extension) -> exporter.
EXPORTERS: Mapping[str, Callable[[RunRecord], str]] = types.MappingProxyType(
    {"md": run_to_markdown, "html": run_to_html, "json": run_to_json}
)
