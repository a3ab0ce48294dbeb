"""What a model adds to the settings before a generation (workbench/settings_for_model.py): a
logit bias given as text turned into the model's token ids, DRY's breakers worked out once per
model, and the prompt format a model gets, read from its file without loading it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from samantha.core.chat import Message
from samantha.core.errors import SettingsError
from samantha.core.settings import Settings
from samantha.engines.fake import FakeSession
from samantha.workbench.facade import Workbench
from samantha.workbench.settings_for_model import BreakerCache, prompt_format_of, with_bias_ids

ALONE = [Message("user", "Name a colour.")]
CONVERSATION = [Message("system", "Be brief."), Message("user", "Name a colour.")]


class BosSession(FakeSession):
    """The fake model with a start token (id 0) in front of every tokenization, as llama.cpp's
    tokenizers add BOS; it cannot encode anything but ASCII."""

    def tokenize(self, text: str) -> list[int]:
        return [0] + [b + 1 for b in text.encode("utf-8") if b < 128]


def session(kind: type[FakeSession] = FakeSession) -> FakeSession:
    return kind("fake", 512, {}, None)


def biased(s: FakeSession, bias: str) -> tuple[tuple[int | str, float], ...]:
    return with_bias_ids(s, Settings().replace(logit_bias=bias)).logit_bias


def test_a_text_bias_becomes_each_of_its_tokens_without_the_start_token() -> None:
    # "hi" is bytes 104 and 105, token ids 105 and 106 in the fake vocabulary
    assert biased(session(), "hi=2, 7=-1") == ((105, 2.0), (106, 2.0), (7, -1.0))
    assert biased(session(BosSession), "hi=2") == ((105, 2.0), (106, 2.0))  # BOS 0 left out


def test_no_bias_leaves_the_settings_as_they_are() -> None:
    settings = Settings(max_tokens=3)
    assert with_bias_ids(session(), settings) is settings


def test_a_token_id_outside_the_vocabulary_is_refused_with_the_range() -> None:
    assert biased(session(), "256=1") == ((256, 1.0),)  # the last id of 257
    with pytest.raises(SettingsError, match=r"^logit_bias: token id 257 is outside the "
                                            r"vocabulary of fake \(0 to 256\)\.$"):
        biased(session(), "257=1")


def test_a_text_the_tokenizer_cannot_encode_is_refused_saying_what_to_give() -> None:
    with pytest.raises(SettingsError) as refused:
        biased(session(BosSession), "é=-5")
    assert str(refused.value) == (
        "logit_bias: the text 'é' becomes no token with the tokenizer of fake; give token ids "
        "instead (`samantha models vocab` lists them).")


class CountingSession(FakeSession):
    pieces_read = 0

    def piece(self, token: int) -> bytes:
        CountingSession.pieces_read += 1
        return super().piece(token)


DRY = Settings(dry_multiplier=0.8, dry_sequence_breakers=("\n", ":"))


def test_dry_breakers_are_read_from_the_vocabulary_once_per_model_and_list() -> None:
    cache, model = BreakerCache(), session(CountingSession)
    CountingSession.pieces_read = 0
    breakers = cache.get(model, DRY)
    assert CountingSession.pieces_read == model.n_vocab  # the whole vocabulary, once
    assert breakers[ord("\n") + 1] == ((),) and breakers[ord(":") + 1] == ((),)
    assert cache.get(model, DRY) is breakers and CountingSession.pieces_read == model.n_vocab
    other = cache.get(model, DRY.replace(dry_sequence_breakers=("*",)))
    assert set(other) == {ord("*") + 1} and CountingSession.pieces_read == 2 * model.n_vocab


@pytest.mark.parametrize("off", [Settings(), DRY.replace(dry_penalty_last_n=0)],
                         ids=["multiplier 0", "last_n 0"])
def test_dry_off_needs_no_breakers_and_reads_nothing(off: Settings) -> None:
    CountingSession.pieces_read = 0
    assert BreakerCache().get(session(CountingSession), off) is None
    assert CountingSession.pieces_read == 0


def test_the_prompt_format_comes_from_the_files_chat_template(fake_workbench: Workbench,
                                                              tiny_model: Path) -> None:
    shutil.copy(tiny_model, fake_workbench.models_dir / "tiny.gguf")  # has a ChatML template
    of = fake_workbench.prompt_format_of
    assert of("tiny.gguf", "auto", CONVERSATION) == "chat"
    assert of("tiny.gguf", "completion", ALONE) == "completion"  # asked for: kept
    assert of("fake.gguf", "auto", ALONE) == "completion"  # no template: a base model
    assert of("fake.gguf", "auto", CONVERSATION) == "plain"
    assert of("fake.gguf", "chat", ALONE) == "plain"  # no template to use


def test_a_remote_model_always_gets_chat_messages(home: Path) -> None:
    bench = Workbench(home)  # no backend is asked: the entry's form says it is remote
    assert prompt_format_of(bench, "gemma@lab", "completion", ALONE) == "chat"
    assert prompt_format_of(bench, "gemma@*", "plain", ALONE) == "chat"


def test_a_model_not_found_or_not_downloaded_keeps_what_was_asked(
        fake_workbench: Workbench) -> None:
    url = "https://huggingface.co/org/repo/resolve/main/model.gguf"
    assert prompt_format_of(fake_workbench, url, "auto", ALONE) == "auto"
    assert prompt_format_of(fake_workbench, "no-such-model", "plain", ALONE) == "plain"
    assert prompt_format_of(fake_workbench, "no-such-model", "auto", ALONE) == "auto"
