"""The ``samantha`` command: one module per command group."""

from __future__ import annotations

import click

from samantha.cli.code import code
from samantha.cli.common import SamanthaGroup
from samantha.cli.generate import generate
from samantha.cli.history import history
from samantha.cli.learn import learn
from samantha.cli.models import models
from samantha.cli.run import run


@click.group(cls=SamanthaGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="samantha")
def cli() -> None:
    """Samantha: run open GGUF language models on your own computer, chain them, and watch how
    every token is chosen."""


cli.add_command(generate)
cli.add_command(run)
cli.add_command(history)
cli.add_command(learn)
cli.add_command(code)
cli.add_command(models)


def main() -> None:
    cli(prog_name="samantha")
