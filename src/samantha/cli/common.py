"""What every command shares: the Workbench, error handling, the sampling flags."""

from __future__ import annotations

import json
import sys
from typing import Any, Callable

import click

from samantha.core.errors import InputError, SamanthaError
from samantha.core.schema import plain
from samantha.core.settings import (
    DETERMINISTIC,
    PARAMETERS,
    STOCHASTIC,
    STOP_HELP,
    Settings,
)

PRESETS = {"deterministic": DETERMINISTIC, "stochastic": STOCHASTIC}
SAMPLING_FLAGS = (
    "n_ctx", "max_tokens", "temperature", "top_k", "top_p", "min_p", "typical_p", "tfs_z",
    "presence_penalty", "frequency_penalty", "repeat_penalty", "penalty_last_n", "seed",
)


class SamanthaGroup(click.Group):
    """A command group that turns Samantha's own errors into one-line messages, no traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except InputError as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(2)
        except SamanthaError as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(1)


def workbench(ctx: click.Context) -> Any:
    """The Workbench of this invocation (built once, on first use)."""
    root = ctx.find_root()
    if root.obj is None:
        from samantha.app import Workbench
        from samantha.home import data_home

        root.obj = Workbench(data_home())
    return root.obj


def sampling_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add ``--temperature``, ``--top-k``, … ``--stop`` and ``--preset`` to a command."""
    return click.option(
        "--preset", type=click.Choice(sorted(PRESETS)), default="deterministic", show_default=True,
        help="Starting values for every sampling setting; the flags above override them.",
    )(sampling_flags(command))


def sampling_flags(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add ``--temperature``, ``--top-k``, … and ``--stop`` (no ``--preset``) to a command."""
    for name in reversed(SAMPLING_FLAGS):
        param = PARAMETERS[name]
        default = getattr(DETERMINISTIC, name)
        shown = "random" if default is None else default
        command = click.option(
            "--" + name.replace("_", "-"), name, type=param.kind, default=None,
            help=f"{param.help} [{plain(param.low)}..{plain(param.high)}, default {shown}]",
        )(command)
    return click.option("--stop", "stop", default=None, metavar="JSON_LIST", help=STOP_HELP)(
        command
    )


LOOP_GUARD_HELP = ("End an answer that has started repeating itself: the same block of tokens "
                   "three times in a row, 24 tokens or more (finish reason `repetition`). On by "
                   "default.")


def loop_guard_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """``--loop-guard/--no-loop-guard`` (on by default)."""
    return click.option("--loop-guard/--no-loop-guard", "loop_guard", default=True,
                        show_default=True, help=LOOP_GUARD_HELP)(command)


def given_sampling(options: dict[str, Any]) -> dict[str, Any]:
    """The sampling flags given on the command line, as Settings names to values (``seed``
    included: `run` and `history rerun` seed the run with it)."""
    return {name: options[name] for name in (*SAMPLING_FLAGS, "stop")
            if options.get(name) is not None}


def settings_from(options: dict[str, Any]) -> Settings:
    """Pop the sampling flags from a command's keyword arguments and build the Settings."""
    base = PRESETS[options.pop("preset")]
    given = {name: options.pop(name) for name in (*SAMPLING_FLAGS, "stop")}
    return base.replace(**{k: v for k, v in given.items() if v is not None})


def print_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False))


def read_text_argument(value: str) -> str:
    """``-`` means: read the text from standard input."""
    return sys.stdin.read() if value == "-" else value
