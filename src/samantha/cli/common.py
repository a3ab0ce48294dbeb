"""What every command shares: the Workbench, error handling, the sampling flags."""

from __future__ import annotations

import json
import sys
from contextlib import suppress
from pathlib import Path
from typing import Any, Callable

import click

from samantha.core.errors import InputError, SamanthaError
from samantha.core.prompt_format import FORMATS, PROMPT_FORMAT_HELP
from samantha.core.schema import plain
from samantha.core.setting_lists import (
    BREAKERS_HELP,
    GRAMMAR_HELP,
    JSON_SCHEMA_HELP,
    LOGIT_BIAS_HELP,
    SAMPLERS_HELP,
)
from samantha.core.settings import (
    DETERMINISTIC,
    PARAMETERS,
    STOCHASTIC,
    STOP_HELP,
    Settings,
    coerce,
)
from samantha.store.errors import DiskFullError
from samantha.store.space import no_room

PRESETS = {"deterministic": DETERMINISTIC, "stochastic": STOCHASTIC}
SAMPLING_FLAGS = (
    "n_ctx", "max_tokens", "temperature", "top_k", "top_p", "min_p", "typical_p", "tfs_z",
    "presence_penalty", "frequency_penalty", "repeat_penalty", "penalty_last_n",
    "dry_multiplier", "dry_base", "dry_allowed_length", "dry_penalty_last_n", "top_n_sigma",
    "xtc_probability", "xtc_threshold", "dynatemp_range", "dynatemp_exponent", "mirostat",
    "mirostat_tau", "mirostat_eta", "min_keep", "seed",
)
FILE_FLAGS = ("grammar", "json_schema")  # settings given as a file's text
#: The list-valued settings, given as text: the flag, and its help.
LIST_FLAGS = {"samplers": SAMPLERS_HELP, "logit_bias": LOGIT_BIAS_HELP,
              "dry_sequence_breakers": BREAKERS_HELP}


class SamanthaGroup(click.Group):
    """A command group that turns Samantha's own errors into one-line messages, no traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except InputError as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(2)
        except (SamanthaError, OSError) as exc:  # OSError: only a full disk, met anywhere
            home = getattr(ctx.find_root().obj, "home", None)
            click.echo(f"error: {disk_full_said(exc, home)}", err=True)
            ctx.exit(1)


def disk_full_said(exc: SamanthaError | OSError, home: Path | None = None) -> Exception:
    """What to print for ``exc``: when a full disk is behind it (a download, a code run's
    folder), the line that says so, naming the folder (the data home ``home`` when the error
    names no file); any other OSError is raised again (a bug: a traceback)."""
    from samantha.store.space import full_disk, full_disk_cause

    cause = None if isinstance(exc, DiskFullError) else full_disk_cause(exc)
    if cause is not None:
        return full_disk(cause, home)
    if not isinstance(exc, SamanthaError):
        raise exc
    return exc


def workbench(ctx: click.Context) -> Any:
    """The Workbench of this invocation (built once, on first use)."""
    root = ctx.find_root()
    if root.obj is None:
        from samantha.workbench.facade import Workbench
        from samantha.workbench.home import data_home

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
    for name, help_text in (("grammar", GRAMMAR_HELP), ("json_schema", JSON_SCHEMA_HELP)):
        command = click.option("--" + name.replace("_", "-"), name, default=None,
                               type=click.Path(exists=True, dir_okay=False, path_type=Path),
                               metavar="FILE", help=help_text)(command)
    for name, help_text in LIST_FLAGS.items():
        command = click.option("--" + name.replace("_", "-"), name, default=None,
                               metavar="TEXT", help=help_text)(command)
    command = click.option("--prompt-format", "prompt_format", default=None,
                           type=click.Choice(FORMATS, case_sensitive=False),
                           help=f"{PROMPT_FORMAT_HELP} [default auto]")(command)
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
    return {name: given_value(name, options[name])
            for name in (*SAMPLING_FLAGS, *LIST_FLAGS, *FILE_FLAGS, "stop", "prompt_format")
            if options.get(name) is not None}


def given_value(name: str, value: Any) -> Any:
    """A flag's value as a setting: list flags read as text, file flags as their file's text."""
    if name in FILE_FLAGS:
        try:
            return Path(value).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"Cannot read {value} for --{name.replace('_', '-')}: {exc}.")
    return coerce(name, value) if name in (*LIST_FLAGS, "prompt_format") else value


def settings_from(options: dict[str, Any]) -> Settings:
    """Pop the sampling flags from a command's keyword arguments and build the Settings."""
    base = PRESETS[options.pop("preset")]
    given = {name: options.pop(name) for name in (*SAMPLING_FLAGS, *LIST_FLAGS, *FILE_FLAGS,
                                                   "stop", "prompt_format")}
    return base.replace(**{k: given_value(k, v) for k, v in given.items() if v is not None})


def print_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False))


def read_text_argument(value: str) -> str:
    """``-`` means: read the text from standard input."""
    return sys.stdin.read() if value == "-" else value


def write_or_print(text: str, output: Path | None) -> None:
    if output:
        write_file(output, text)
        click.echo(f"Wrote {output}", err=True)
    else:
        click.echo(text)


def write_file(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` or say in one line why not; a file that a full disk left
    half-written is removed, so that no one takes it for the whole."""
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        if not no_room(exc):
            raise InputError(f"Cannot write {path}: {exc.strerror or exc}.") from None
        with suppress(OSError):
            path.unlink()
        raise DiskFullError(path.parent, f"for {path.name} (it was not written)") from None
