"""Whatever a model (or the code it wrote) puts in its text, the pages made from it are inert:
no script, no handler, no link that runs or loads, read the way a browser reads them (entities
decoded, control characters dropped); and each page forbids scripts by its own policy."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from support.html_dangers import Dangers

from samantha.core.trace import Candidate, TokenStep
from samantha.documents.code_page import code_result_page
from samantha.documents.compare import compare, grid_html
from samantha.documents.export import markdown_to_html_page, render_markdown, run_to_html
from samantha.documents.trace_html import WORDS, trace_page

from .test_export import Elements, cycle, make_run

# ------------------------------------------------------------------------------- hostile inputs

#: What a model writes in its answer (Markdown), each one a way past a check that reads the text
#: before the browser decodes it.
HOSTILE_MARKDOWN = {
    "entity-encoded javascript: link": "[x](&#106;avascript:alert(1))",
    "hex entity, mixed case": "[x](&#x4A;aVaScRiPt:alert(1))",
    "named entity for the colon": "[x](javascript&colon;alert(1))",
    "newline entity splits the scheme": "[x](java&#x0A;script:alert(1))",
    "tab entity splits the scheme": "[x](java&#9;script:alert(1))",
    "reference link to javascript:": "[x][r]\n\n[r]: &#106;avascript:alert(1)",
    "image whose target is javascript:": "![x](&#106;avascript:alert(1))",
    "svg image as a data: URI": "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "entity-encoded data:text/html link": "[x](&#100;ata:text/html,&lt;script&gt;alert(1))",
    "entity-encoded vbscript: link": "[x](&#118;bscript:msgbox(1))",
}

#: What code prints (or a model writes) as HTML.
HOSTILE_HTML = {
    "script": "<script>alert(1)</script>",
    "img onerror": "<img src=x onerror=alert(1)>",
    "svg script": "<svg><script>alert(1)</script></svg>",
    "svg onload": "<svg onload=alert(1)></svg>",
    "iframe srcdoc": '<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>',
    "newline inside javascript:": '<a href="java&#x0A;script:alert(1)">x</a>',
    "entity-encoded javascript:": '<a href="&#106;avascript:alert(1)">x</a>',
    "mixed case and spaces": '<a href="  JaVaScRiPt:alert(1)">x</a>',
    "data:text/html link": '<a href="data:text/html,&lt;script&gt;alert(1)">x</a>',
    "vbscript link": '<a href="vbscript:msgbox(1)">x</a>',
    "form action": '<form action="javascript:alert(1)"><button>go</button></form>',
    "meta refresh": '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "style element with url(javascript:)": "<style>p{background:url(javascript:alert(1))}</style>",
    "style attribute with url(javascript:)": '<p style="background:url(javascript:alert(1))">x</p>',
    "base href": '<base href="javascript:alert(1)//">',
    "object data": '<object data="javascript:alert(1)"></object>',
    "svg link": '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    "svg animate": '<svg><a><animate attributeName="href" to="javascript:alert(1)"/></a></svg>',
    "details ontoggle": "<details open ontoggle=alert(1)><summary>x</summary></details>",
    "noscript mutation": '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "math mutation": ('<math><mtext><table><mglyph><style><!--</style><img title="--&gt;'
                      '&lt;/mglyph&gt;&lt;img&Tab;src=1&Tab;onerror=alert(1)&gt;">'),
}


@dataclass
class Printed:
    """A code run that printed ``stdout`` (what the code page needs of a CodeResult)."""

    stdout: str
    stderr: str = ""
    exit_status: int | None = 0
    seconds: float = 0.1
    limit: str | None = None
    figures: list[Path] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)


def trace_of(piece: str) -> list[TokenStep]:
    candidates = (Candidate(1, piece, 2.0, 0.7), Candidate(2, "b", 1.0, 0.3))
    return [TokenStep(step=1, token_id=1, piece=piece, rank=1, logit=2.0, p=0.7, entropy=0.6,
                      candidates=candidates, stages=(), final=())]


def pages_made_of(text: str) -> dict[str, str]:
    """Every page Samantha writes from a model's text, made of ``text``."""
    run = make_run(cycle(1, response=text, prompt=text))
    return {
        "response page": markdown_to_html_page(text, "Samantha: response"),
        "run export": run_to_html(run),
        "comparison grid": grid_html(compare(run)),
        "trace page": trace_page(trace_of(text), "trace", "answer", WORDS["en"]),
        "code page": code_result_page(Printed(f"<div>{text}</div>")),
    }


@pytest.mark.parametrize("text", [*HOSTILE_MARKDOWN.values(), *HOSTILE_HTML.values()],
                         ids=[*HOSTILE_MARKDOWN, *HOSTILE_HTML])
def test_a_hostile_answer_leaves_every_page_inert(text: str) -> None:
    found = {name: Dangers(page).found for name, page in pages_made_of(text).items()}
    assert not any(found.values()), found


def test_the_danger_finder_sees_each_hostile_input_as_a_browser_would() -> None:
    """The check above is only worth what this finder sees: raw, each input is a danger."""
    for name, text in HOSTILE_HTML.items():
        assert Dangers(text).found, name
    for name, text in HOSTILE_MARKDOWN.items():
        import markdown  # python-markdown alone, without our cleaning

        assert Dangers(markdown.markdown(text)).found, name


# ------------------------------------------------------------------------ what users keep

def test_tables_code_lists_links_and_embedded_images_survive() -> None:
    text = ("| a | b |\n|:--|--:|\n| 1 | 2 |\n\n```python\nprint('<b>')\n```\n\n- one\n- two\n\n"
            "[site](https://example.org/) [mail](mailto:a@example.org) "
            "![dot](data:image/png;base64,iVBORw0KGgo=) ![far](https://example.org/x.png)")
    elements = Elements(render_markdown(text))
    assert [a.get("href") for a in elements.named("a")] == [
        "https://example.org/", "mailto:a@example.org", "https://example.org/x.png"]
    assert all(a.get("rel") == "noopener noreferrer" for a in elements.named("a"))
    assert [img["src"] for img in elements.named("img")] == ["data:image/png;base64,iVBORw0KGgo="]
    assert [td.get("style") for td in elements.named("td")] == ["text-align:left",
                                                                 "text-align:right"]
    assert elements.named("code") == [{"class": "language-python"}]
    assert len(elements.named("li")) == 2 and len(elements.named("table")) == 1


def test_html_printed_by_code_is_rendered_clean_in_the_page() -> None:
    table = ('<table border="1" class="dataframe"><thead><tr><th>x</th></tr></thead>'
             '<tbody><tr><td>1</td></tr></tbody></table><script>steal()</script>')
    page = code_result_page(Printed(table))
    elements = Elements(page)
    assert elements.named("table") == [{"border": "1", "class": "dataframe"}]
    assert "steal" not in page and elements.named("iframe") == []


def test_the_trace_page_keeps_its_colours_charts_and_focusable_tokens() -> None:
    page = trace_page(trace_of("Paris"), "trace", "answer", WORDS["en"])
    elements = Elements(page)
    token = next(a for a in elements.named("span") if a.get("class") == "tok")
    assert token["tabindex"] == "0" and token["data-step"] == "1"
    assert token["style"].startswith("background:#")
    assert elements.named("svg") and elements.named("rect") and elements.named("polyline")
    assert elements.named("svg")[0]["viewbox"].startswith("0 0 ")


POLICY = re.compile(r'<head>\s*<meta charset="utf-8">\s*<meta http-equiv="Content-Security-'
                    r'Policy" content="([^"]*)">')


@pytest.mark.parametrize("name", ["response page", "run export", "comparison grid",
                                  "trace page", "code page"])
def test_every_page_forbids_scripts_by_its_own_policy(name: str) -> None:
    """Opened from a disk, a page still runs nothing: its head says so before anything else."""
    page = pages_made_of("text")[name]
    policy = POLICY.search(page)
    assert policy, page[:300]
    rules = dict(rule.strip().split(" ", 1) for rule in policy.group(1).split(";"))
    assert rules["default-src"] == "'none'" and "script-src" not in rules
    assert rules["img-src"] == "data:" and rules["base-uri"] == "'none'"
