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
