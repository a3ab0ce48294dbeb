"""``samantha voice``: the Vosk models of speech to text; ``samantha listen``: a WAV file's
transcript, and the voice command it holds."""

from __future__ import annotations

from pathlib import Path

import click

from samantha.cli.common import print_json, workbench
from samantha.cli.progress_line import ProgressLine
from samantha.core.errors import InputError
from samantha.voice.commands import ACTIONS, VOCABULARIES


@click.group()
def voice() -> None:
    """Speech to text, offline (Vosk): add, download and list its models."""


@voice.command("add-model")
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--no-use", is_flag=True, help="Add it without making it the model in use.")
@click.pass_context
def add_model(ctx: click.Context, folder: Path, no_use: bool) -> None:
    """Add the unzipped Vosk model FOLDER (the one holding am/, conf/ and graph/)."""
    model = workbench(ctx).hearing.add(folder, use=not no_use)
    click.echo(f"Added {model.name} ({_language(model.language)}) at {model.path}"
               f"{'' if no_use else ', now in use'}.")


@voice.command()
@click.argument("url")
@click.pass_context
def download(ctx: click.Context, url: str) -> None:
    """Download a Vosk model's zip archive from URL (resumable, verified), unpack it into the
    voice-models folder of the data home and add it."""

    hearing = workbench(ctx).hearing
    with ProgressLine(url) as bar:
        model = hearing.download(url, progress=bar.update)
    click.echo(f"Saved {model.name} ({_language(model.language)}) at {model.path}")


@voice.command("models")
@click.option("--use", "name", help="Make the model called NAME the one in use.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
@click.pass_context
def list_models(ctx: click.Context, name: str | None, as_json: bool) -> None:
    """List the Vosk models Samantha knows, the one in use first."""
    hearing = workbench(ctx).hearing
    if name:
        hearing.use(name)
    models = hearing.models()
    if as_json:
        print_json([model.to_dict() for model in models])
        return
    if not models:
        from samantha.models.vosk_models import WHERE

        click.echo(f"No Vosk model yet. {WHERE}")
    for index, model in enumerate(models):
        click.echo(f"{'*' if index == 0 else ' '} {model.name:<32} {_language(model.language):<12}"
                   f" {model.source:<10} {model.path}")


@click.command()
@click.argument("wav", type=click.Path(path_type=Path))
@click.option("--model", "name", help="A model's name (samantha voice models) or folder "
                                      "(default: the model in use).")
@click.option("--words", help="Hear only these words, comma-separated (Vosk's word-list mode: "
                              "accurate when the words are few).")
@click.option("--commands", is_flag=True,
              help="Also say which voice command each utterance holds: ok <prompt>, "
                   "samantha <command>, samantha close.")
@click.option("--language", help="The language of the command words (en, pt, ko; default: "
                                 "the model's).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per utterance.")
@click.pass_context
def listen(ctx: click.Context, wav: Path, name: str | None, words: str | None, commands: bool,
           language: str | None, as_json: bool) -> None:
    """Print what is said in the WAV file WAV (16-bit PCM, any rate; offline, with Vosk)."""
    from samantha.voice.speech_to_text import read_wav

    listed = [w.strip() for w in words.split(",") if w.strip()] if words else None
    if words is not None and not listed:
        raise InputError("--words is empty: give words separated by commas, e.g. --words "
                         "yes,no.")
    hearing = workbench(ctx).hearing
    model = hearing.find(name)
    if commands:
        hearing.vocabulary(model, language)  # a language without commands: said first
        rate, pcm = read_wav(wav)
        listener = hearing.listener(model, rate, language, listed)
        heard = listener.accept(pcm) + listener.finish()
    else:
        from samantha.voice.speech_to_text import Heard

        heard = [Heard(text) for text in hearing.transcribe(wav, model, listed)]
    if not heard:
        click.echo(f"Nothing was heard in {wav} (silence, or speech the model does not know: "
                   f"{model.name} is {_language(model.language)}).", err=True)
    for one in heard:
        if as_json:
            print_json(one.to_dict() if commands else {"text": one.text})
        else:
            click.echo(one.text)
            if commands:
                click.echo(f"  -> {_described(one.command)}")


def _described(command) -> str:
    if command.kind == "prompt":
        return f"prompt: {command.prompt}"
    if command.kind == "action":
        return f"command: {command.name} ({ACTIONS[command.name]})"
    if command.kind == "unknown":
        return f"not a command: {command.rest!r} (say samantha then one of " \
               f"{', '.join(ACTIONS)})"
    return "no command (an utterance starts with ok or samantha to be one)"


def _language(code: str | None) -> str:
    names = {"en": "English", "pt": "Portuguese", "ko": "Korean"}
    if code is None:
        return "language unknown"
    return names.get(code, code) + ("" if code in VOCABULARIES else " (no commands)")
