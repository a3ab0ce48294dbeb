"""The ``samantha`` command: one module per command group, each imported only when it is used
(``samantha generate`` need not load the web UI, the history or the HTTP client)."""

from __future__ import annotations

import importlib
from typing import Any, Mapping

import click

from samantha.cli.common import SamanthaGroup

#: command name -> "module:attribute" of its click command
COMMANDS = {
    "generate": "samantha.cli.generate:generate",
    "run": "samantha.cli.run:run",
    "history": "samantha.cli.history:history",
    "judge": "samantha.cli.judge:judge",
    "batch": "samantha.cli.batch:batch",
    "learn": "samantha.cli.learn:learn",
    "code": "samantha.cli.code:code",
    "ui": "samantha.cli.ui:ui",
    "models": "samantha.cli.models:models",
    "pdf": "samantha.cli.pdf:pdf",
    "say": "samantha.cli.say:say",
    "voice": "samantha.cli.voice:voice",
    "listen": "samantha.cli.voice:listen",
    "backends": "samantha.cli.backends:backends",
    "tools": "samantha.cli.tools:tools",
}


class LazyGroup(SamanthaGroup):
    """A group whose commands are imported on first use."""

    def __init__(self, *args: Any, lazy: Mapping[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in self.commands and name in self.lazy:
            module, attribute = self.lazy[name].split(":")
            self.add_command(getattr(importlib.import_module(module), attribute), name)
        return super().get_command(ctx, name)


@click.group(cls=LazyGroup, lazy=COMMANDS, invoke_without_command=True,
             context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="samantha")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Samantha: run open GGUF language models on your own computer, chain them, and watch how
    every token is chosen. With no command, starts the web UI."""
    if ctx.invoked_subcommand is None:
        ui = cli.get_command(ctx, "ui")
        assert ui is not None
        ctx.invoke(ui)


def main() -> None:
    cli(prog_name="samantha")
