"""The chain switches are declared once (core.chain.CHAIN_SWITCHES) and read by the chain's
checks, the CLI's flags and the web UI's checkboxes: none is missing anywhere, none is extra."""

from __future__ import annotations

import dataclasses

import click

from samantha.cli.run import SWITCH_HELP, run
from samantha.core.chain import CHAIN_SWITCHES, FIELDS, ChainConfig, switch_defaults
from samantha.ui.chat.options import PAGE_SWITCHES, SWITCHES
from samantha.ui.words.table import texts

NAMES = [s.name for s in CHAIN_SWITCHES]


def test_every_on_off_field_of_a_chain_is_a_switch_or_learning_mode() -> None:
    flags = [f.name for f in dataclasses.fields(ChainConfig) if f.type in (bool, "bool")]
    assert sorted(flags) == sorted([*NAMES, "learn"])
    assert all(name in FIELDS for name in NAMES)
    assert switch_defaults() == {name: name == "loop_guard" for name in NAMES}


def test_the_cli_has_a_flag_with_help_for_each() -> None:
    assert sorted(SWITCH_HELP) == sorted(NAMES)
    options = {p.name: p for p in run.params if isinstance(p, click.Option)}
    for name in NAMES:
        flag = name.replace("_", "-")
        assert options[name].opts == [f"--{flag}"] and options[name].secondary_opts == [
            f"--no-{flag}"], name


def test_the_page_has_a_checkbox_with_words_for_each() -> None:
    # Feedback loop sits beside the previous response; the rest in the Chain options panel
    assert sorted([*SWITCHES, "feedback_loop"]) == sorted(
        [*(s.ui_key for s in CHAIN_SWITCHES), *PAGE_SWITCHES])
    for lang in ("en", "pt"):
        table = texts(lang)
        assert all(table[s.ui_key].label and table[s.ui_key].help for s in CHAIN_SWITCHES)
