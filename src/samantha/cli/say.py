"""``samantha say``: read a text aloud into a WAV file, offline."""

from __future__ import annotations

from pathlib import Path

import click

from samantha.core.errors import InputError
from samantha.voice.text_to_speech import Speaker


@click.command()
@click.argument("text", required=False)
@click.option("-o", "--output", type=click.Path(path_type=Path), default=Path("speech.wav"),
              show_default=True, help="The WAV file to write.")
@click.option("--voice", help="A voice id from --list-voices (default: the system's).")
@click.option("--rate", type=click.IntRange(50, 500), help="Words per minute.")
@click.option("--list-voices", is_flag=True, help="List the voices and their languages.")
def say(text: str | None, output: Path, voice: str | None, rate: int | None,
        list_voices: bool) -> None:
    """Read TEXT aloud into a WAV file (code blocks and Markdown marks are skipped). Uses
    espeak-ng on Linux, SAPI5 on Windows, NSSpeech on macOS; nothing leaves the computer."""
    speaker = Speaker()
    if list_voices:
        for v in speaker.voices():
            click.echo(f"{v.id:<24} {v.name:<28} {', '.join(v.languages)}")
        return
    if not text:
        raise InputError("Give the text to read: samantha say \"Hello\" (or --list-voices).")
    speaker.save(text, output, voice, rate)
    click.echo(f"Wrote {output}")
