from __future__ import annotations

from samantha.core.chain import ChainConfig
from samantha.core.runner import ChainRunner
from samantha.core.transcript import Transcript


def test_transcript_of_a_run(fake_workbench, fake_engine) -> None:
    fake_engine.answers = {"": "Hi there."}
    transcript = Transcript()
    for event in ChainRunner(fake_workbench, ChainConfig("a\nb", models=("fake.gguf",),
                                                         random_params=True, seed=1)).run():
        transcript.add(event)
    text = transcript.text
    assert text.startswith("\n\n" + "=" * 42 + "\n1) fake.gguf\n")
    assert text.count("RANDOM: temperature (") == 2 and text.count("---------- (") == 2
    assert len(transcript.responses) == 2 and all(r in text for r in transcript.responses)
    assert transcript.last_response == transcript.responses[-1]
    transcript.clear()
    assert transcript.text == "" and transcript.last_response == ""


def test_a_restarted_answer_drops_its_first_try_and_says_who_answered() -> None:
    from samantha.core.answer_events import AnswerRestarted, GenerationResult, TokenEvent
    from samantha.core.plan import Cycle
    from samantha.core.promptscript import PromptItem
    from samantha.core.run_events import CycleFinished, CycleStarted
    from samantha.core.settings import DETERMINISTIC

    cycle = Cycle(1, "m@*", 1, 1, 1, PromptItem("Hi."))
    transcript = Transcript(text="before ")
    for event in (CycleStarted(cycle, "Hi.", (), DETERMINISTIC, None), TokenEvent(0, 1, "bro"),
                  TokenEvent(1, 2, "ken"), AnswerRestarted("lab failed.", "box"),
                  TokenEvent(0, 1, "whole"),
                  CycleFinished(cycle, GenerationResult("whole", 1, 1, 0.5, "stop",
                                                        DETERMINISTIC, answered_by="m@box"))):
        transcript.add(event)
    assert "broken" not in transcript.text
    assert transcript.text.startswith("before [lab failed. Starting the answer again on box.]\n"
                                      "whole\nanswered by m@box\n---------- (1 tokens")
    assert transcript.responses == ["whole"]


def banners(text: str) -> list[str]:
    lines = text.split("\n")
    return [lines[i + 1] for i, line in enumerate(lines[:-2])
            if line == "=" * 42 and lines[i + 2] == "=" * 42]


def test_each_banner_is_numbered_by_its_first_cycle(fake_workbench, fake_engine) -> None:
    fake_engine.answers = {"": "Hi there."}
    config = ChainConfig("a\nb", models=("fake.gguf", "fake.gguf"), responses=2)
    transcript = Transcript()
    for event in ChainRunner(fake_workbench, config).run():
        transcript.add(event)
    # a model's answers in a row share a banner: cycles 1-2, 3-4 (its second round), 5-6, 7-8
    assert banners(transcript.text) == ["1) fake.gguf", "3) fake.gguf", "5) fake.gguf",
                                        "7) fake.gguf"]


def test_the_terminal_numbers_banners_as_the_web_page(fake_workbench, fake_engine,
                                                      capsys) -> None:
    from samantha.cli.render import TerminalView

    fake_engine.answers = {"": "Hi there."}
    view = TerminalView()
    for event in ChainRunner(fake_workbench, ChainConfig("a\nb", models=("fake.gguf",) * 2)).run():
        view.show(event)
    assert banners(capsys.readouterr().out) == ["1) fake.gguf", "3) fake.gguf"]
