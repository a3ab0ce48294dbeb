"""The ``samantha`` command: one module per command group."""

from __future__ import annotations

import click

from samantha.cli.backends import backends
from samantha.cli.code import code
from samantha.cli.common import SamanthaGroup
from samantha.cli.generate import generate
from samantha.cli.history import history
from samantha.cli.learn import learn
from samantha.cli.models import models
from samantha.cli.pdf import pdf
from samantha.cli.run import run
from samantha.cli.say import say
from samantha.cli.ui import ui


@click.group(cls=SamanthaGroup, invoke_without_command=True,
             context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="samantha")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Samantha: run open GGUF language models on your own computer, chain them, and watch how
    every token is chosen. With no command, starts the web UI."""
    if ctx.invoked_subcommand is None:
        ctx.invoke(ui)


cli.add_command(generate)
cli.add_command(run)
cli.add_command(history)
cli.add_command(learn)
cli.add_command(code)
cli.add_command(ui)
cli.add_command(models)
cli.add_command(pdf)
cli.add_command(say)
cli.add_command(backends)


def main() -> None:
    cli(prog_name="samantha")
