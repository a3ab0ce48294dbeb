"""The README's and the user guide's console examples are real: each `$ samantha …` line of
README.md and docs/guide/*.md runs and prints what is shown (timings and paths aside).

A block whose paragraph before it ends with "sample output:" holds an answer that depends on the
computer (a stochastic draw: other processors compute slightly different scores). For those the
test checks what the page promises instead: the same command twice gives the same text here,
and the output has the shown form (tokens, finish reason, seed).

The README stays short (a newcomer reads it to the end) and every relative link of these pages
leads to a file that exists, and to a heading that exists when it names one.
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
GUIDE = ROOT / "docs" / "guide"
PAGES = [README, *sorted(GUIDE.glob("*.md"))]
SAMPLE = "sample output:"
# The README held 11 examples when it was the whole guide, before the guide moved to docs/guide.
EXAMPLES_BEFORE_THE_MOVE = 11


def examples(text: str) -> list[tuple[str, list[str], bool]]:
    """(command, shown output, is sample output) for every ``$ samantha`` line."""
    found = []
    for match in re.finditer(r"```console\n(.*?)```", text, re.S):
        before = text[:match.start()].rstrip().rsplit("\n\n", 1)[-1]
        sample = before.endswith(SAMPLE)
        for chunk in re.split(r"^\$ ", match.group(1), flags=re.M)[1:]:
            command, *output = chunk.rstrip("\n").split("\n")
            found.append((command, output, sample))
    return found


def name(page: Path) -> str:
    return page.relative_to(ROOT).as_posix()


def every_example() -> list[tuple[str, str, list[str], bool]]:
    """(page, command, shown output, is sample output) over the README and the guide."""
    return [(name(page), *example) for page in PAGES
            for example in examples(page.read_text(encoding="utf-8"))]


def test_examples_are_found_and_the_stochastic_one_is_sample_output() -> None:
    found = every_example()
    assert len(found) >= EXAMPLES_BEFORE_THE_MOVE
    stochastic = [sample for _, command, _, sample in found if "stochastic" in command]
    assert stochastic and all(stochastic)
    assert not all(sample for *_, sample in found)  # the rest is checked exactly


def test_a_sample_block_is_recognised_by_its_paragraph() -> None:
    text = ("Exact:\n\n```console\n$ samantha a\nx\n```\n\nIt differs; sample output:\n\n"
            "```console\n$ samantha b\ny\n```\n")
    assert examples(text) == [("samantha a", ["x"], False), ("samantha b", ["y"], True)]


def test_the_readme_is_short() -> None:
    assert len(README.read_text(encoding="utf-8").splitlines()) < 200


def slug(heading: str) -> str:
    """A heading's anchor as GitHub makes it: lower case, punctuation dropped, spaces as ``-``."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def prose(text: str) -> str:
    """The text without its fenced blocks and inline code, where brackets are not links."""
    return re.sub(r"`[^`\n]*`", "", re.sub(r"```.*?```", "", text, flags=re.S))


def links(page: Path) -> list[str]:
    return re.findall(r"\]\(([^)\s]+)\)", prose(page.read_text(encoding="utf-8")))


def anchors(page: Path) -> set[str]:
    text = re.sub(r"```.*?```", "", page.read_text(encoding="utf-8"), flags=re.S)
    return {slug(line.lstrip("#")) for line in text.splitlines() if re.match(r"#+ ", line)}


@pytest.mark.parametrize("page", PAGES, ids=name)
def test_relative_links_lead_to_files(page: Path) -> None:
    for link in links(page):
        if re.match(r"[a-z]+:", link):  # http(s), mailto: not ours to check
            continue
        path, _, anchor = link.partition("#")
        target = (page.parent / path).resolve() if path else page
        assert target.exists(), f"{name(page)}: {link} leads nowhere"
        if anchor and target.suffix == ".md":
            assert anchor in anchors(target), f"{name(page)}: {link}: no such heading"


def test_every_guide_page_is_linked_from_the_guide_and_the_guide_from_the_readme() -> None:
    assert "docs/guide/README.md" in links(README)
    index = GUIDE / "README.md"
    assert {page.name for page in GUIDE.glob("*.md")} - {index.name} <= set(links(index))


def untimed(lines: list[str]) -> list[str]:
    """Footers without their timings: ``(6 tokens, 0.1 s, 50.0 tokens/s, stop, seed 1)`` ->
    ``(6 tokens, stop, seed 1)``; a leaderboard's row without its tokens per second (the cell
    before the last, the rating)."""
    footers = [re.sub(r", [\d.]+ s(, [\d.]+ tokens/s)?", "", line) for line in lines]
    return [re.sub(r"\| [\d.]+ (\| (—|\d+ \[(\d+, \d+|—)\]) \|)$", r"| … \1", line)
            if line.startswith("| ") else line for line in footers]


@pytest.mark.parametrize("page, command, shown, sample", [
    pytest.param(*example, id=f"{example[0]}: {example[1][:40]}") for example in every_example()])
def test_example(samantha, page: str, command: str, shown: list[str], sample: bool) -> None:
    command, _, stdin = command.partition(" <<< ")
    args = shlex.split(command)
    assert args[0] == "samantha"
    expect_error = bool(shown) and shown[0].startswith("error:")
    run = lambda: samantha(*args[1:], code=2 if expect_error else 0,  # noqa: E731
                           input=shlex.split(stdin)[0] + "\n" if stdin else None)
    result = run()
    if sample:
        again = run()
        assert again.stdout == result.stdout and result.stdout.strip()  # reproducible here
        assert untimed(again.stderr.splitlines()) == untimed(result.stderr.splitlines())
        footer = untimed([result.stderr.strip().splitlines()[-1]])[0]
        assert footer.split("(")[1].split(",")[1:] == untimed(shown[-1:])[0].split(",")[1:]
    elif expect_error:
        assert result.stderr.strip() == shown[0]
    elif "--json" in args:
        assert json.loads(result.stdout)["text"] == json.loads(shown[0])["text"]
    elif args[1] == "run":
        assert untimed(result.stdout.rstrip("\n").split("\n")) == untimed(shown)
    elif args[1] == "models":
        got = [line for line in result.stdout.splitlines() if not line.startswith("file")]
        assert got == [line for line in shown if not line.startswith("file")]
    elif args[1] == "code":
        assert result.stdout.rstrip("\n") == shown[0] and "exit status 0" in result.stderr
    elif args[1] == "generate":  # the answer on stdout, then the footer on stderr
        assert result.stdout.rstrip("\n").split("\n") == shown[:-1]
        assert result.stderr.startswith(shown[-1].split("(")[0])
    else:
        assert result.stdout.rstrip("\n").split("\n") == shown


def shown_commands() -> list[tuple[str, str]]:
    """(page, command) for every ``samantha …`` line of a code block of the README and the guide
    (console examples included), comments and a ``<<<`` input left out."""
    found = []
    for page in PAGES:
        for block in re.findall(r"```\w*\n(.*?)```", page.read_text(encoding="utf-8"), re.S):
            for line in block.splitlines():
                line = line.removeprefix("$ ")
                if line.startswith("samantha "):
                    command = re.split(r"\s+#\s", line.split(" <<< ")[0])[0].strip()
                    found.append((name(page), command))
    return found


def test_the_pages_show_many_commands() -> None:
    assert len(shown_commands()) >= 38  # as many as the pages showed when this test was written


@pytest.mark.parametrize("page, command", shown_commands(), ids=lambda v: str(v)[:60])
def test_every_command_shown_parses_as_the_cli_reads_it(page: str, command: str) -> None:
    """Each command the pages show names a real command with real options, and its arguments
    parse as shown (running each is the other tests' work: many need a server or the network)."""
    import click

    from samantha.cli import cli

    args = shlex.split(command)[1:]
    group: click.Command = cli
    ctx = click.Context(cli, info_name="samantha")
    while isinstance(group, click.Group) and args and not args[0].startswith("-"):
        sub = group.get_command(ctx, args[0])
        assert sub is not None, f"{page}: no command {args[0]!r} in `{command}`"
        group, args = sub, args[1:]
    if isinstance(group, click.Group):
        return  # a group shown alone lists its commands
    parsed = group.make_context(group.name or "", list(args), parent=ctx)
    assert parsed.command is group
