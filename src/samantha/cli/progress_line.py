"""A download's progress on standard error, as one line (a line per quarter when standard error
is not a terminal)."""

from __future__ import annotations

import sys
from typing import Any

import click


class ProgressLine:
    """A one-line progress display on standard error (a line per quarter when not a terminal)."""

    def __init__(self, label: str) -> None:
        self.label = label.rsplit("/", 1)[-1].split("?")[0]
        self.tty = sys.stderr.isatty()
        self.shown = -1

    def __enter__(self) -> "ProgressLine":
        return self

    def update(self, done: int, total: int | None) -> None:
        percent = int(done * 100 / total) if total else -1
        if self.tty:
            size = f"{done / 2**20:,.0f}/{total / 2**20:,.0f} MiB" if total else \
                f"{done / 2**20:,.0f} MiB"
            click.echo(f"\rdownloading {self.label}: {max(percent, 0):3d}% ({size})", nl=False,
                       err=True)
        elif percent // 25 > self.shown:
            self.shown = percent // 25
            click.echo(f"downloading {self.label}: {percent}%", err=True)

    def __exit__(self, *exc: Any) -> None:
        if self.tty:
            click.echo(err=True)
