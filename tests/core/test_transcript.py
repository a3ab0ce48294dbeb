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
    from samantha.core.events import (
        AnswerRestarted,
        CycleFinished,
        CycleStarted,
        GenerationResult,
        TokenEvent,
    )
    from samantha.core.plan import Cycle
    from samantha.core.promptscript import PromptItem
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
