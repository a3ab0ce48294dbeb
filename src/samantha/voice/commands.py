"""Voice commands, the predecessor's: what a transcript asks Samantha to do.

- ``ok <prompt>`` puts the prompt in the USER box and starts (an ``ok`` alone does nothing);
- ``samantha <command>`` runs one of :data:`ACTIONS` (start, stop, stop all, next, read, clean);
- ``samantha close`` ends listening.

The words come in the voice model's language (a Portuguese model hears ``samantha fechar``, a
Korean one ``사만다 닫기``). They are matched as whole words, anywhere in the utterance, unlike
the predecessor, whose substring match heard ``ok`` in ``book``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: command name -> what it does, in the order the help lists them
ACTIONS = {
    "start": "starts the chain (the Start button)",
    "stop": "stops the answer being written and goes on to the next (Stop/Next)",
    "stop_all": "stops the whole chain (Stop all)",
    "next": "the same as stop: on to the next answer",
    "read": "reads the last answer aloud",
    "clean": "clears the output (Clean)",
    "close": "ends listening",
}


@dataclass(frozen=True)
class Vocabulary:
    """A language's command words: the words that address Samantha, and each command's
    phrases (a phrase of several words is said in that order)."""

    ok: tuple[str, ...]
    wake: tuple[str, ...]
    phrases: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def words(self) -> list[str]:
        """Every word a command can use: the word list of a command recogniser."""
        found = [*self.ok, *self.wake]
        for phrases in self.phrases.values():
            found += [word for phrase in phrases for word in phrase.split()]
        return list(dict.fromkeys(found))


VOCABULARIES = {
    "en": Vocabulary(ok=("ok", "okay"), wake=("samantha",), phrases={
        "start": ("start", "go"), "stop": ("stop",), "stop_all": ("stop all",),
        "next": ("next",), "read": ("read", "read aloud"), "clean": ("clean", "clear"),
        "close": ("close",)}),
    "pt": Vocabulary(ok=("ok", "okay", "oquei"), wake=("samantha",), phrases={
        "start": ("iniciar", "começar", "comece"), "stop": ("parar", "pare"),
        "stop_all": ("parar tudo", "pare tudo"), "next": ("próximo", "próxima"),
        "read": ("ler", "leia"), "clean": ("limpar", "limpe"), "close": ("fechar",)}),
    "ko": Vocabulary(ok=("오케이",), wake=("사만다",), phrases={
        "start": ("시작",), "stop": ("정지",), "stop_all": ("모두 정지",), "next": ("다음",),
        "read": ("읽어",), "clean": ("지워",), "close": ("닫기",)}),
}


@dataclass(frozen=True)
class Command:
    """What an utterance asks: ``kind`` is ``prompt`` (with its ``prompt``), ``action`` (with
    its ``name``), ``unknown`` (Samantha was addressed, the rest was no command: ``rest``) or
    ``none`` (not addressed to Samantha)."""

    kind: str
    name: str = ""
    prompt: str = ""
    rest: str = ""

    def to_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "name": self.name, "prompt": self.prompt, "rest": self.rest}


NOTHING = Command("none")


def vocabulary(language: str | None) -> Vocabulary | None:
    """The command words of ``language`` (``en``, ``pt-br`` and ``ko`` are all found), or None."""
    if not language:
        return None
    return VOCABULARIES.get(language.lower().replace("_", "-").split("-")[0])


def parse(transcript: str, words: Vocabulary) -> Command:
    """What ``transcript`` asks, by the first word that addresses Samantha."""
    said = transcript.lower().split()
    for index, word in enumerate(said):
        rest = said[index + 1:]
        if word in words.ok:
            prompt = " ".join(transcript.split()[index + 1:])
            return Command("prompt", prompt=prompt[:1].upper() + prompt[1:]) if prompt \
                else NOTHING
        if word in words.wake:
            return action(rest, words)
    return NOTHING


def action(said: list[str], words: Vocabulary) -> Command:
    """The command whose phrase the words after the wake word start with (the longest phrase
    first: ``stop all`` before ``stop``)."""
    phrases = sorted(((phrase.split(), name) for name, options in words.phrases.items()
                      for phrase in options), key=lambda item: -len(item[0]))
    for phrase, name in phrases:
        if said[:len(phrase)] == phrase:
            return Command("action", name=name)
    return Command("unknown", rest=" ".join(said))
