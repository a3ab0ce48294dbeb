"""Pure view functions of the UI."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from samantha.core.events import DownloadProgress
from samantha.core.sampling import SamplerChain
from samantha.core.settings import Settings
from samantha.core.trace import make_step
from samantha.ui import views
from samantha.ui.collections import collection, title


@pytest.mark.parametrize("choice, pace", [("OFF", False), ("0", None), ("0.3", 0.3),
                                          ("10", 10.0), ("NEXT TOKEN", "step")])
def test_pace_of(choice: str, pace: object) -> None:
    assert views.pace_of(choice) == pace


def test_model_lines() -> None:
    assert views.model_lines("default\n\n---old.gguf\n  a.gguf \ndefault") == [
        "default", "a.gguf", "default"]


def step():
    logits = np.log(np.array([0.1, 0.2, 0.3, 0.4], dtype=np.float32))
    return make_step(1, logits, SamplerChain(Settings(), seed=0).pick(logits), 3,
                     lambda i: f"<t{i}>\n".encode())


def test_candidate_table_marks_the_chosen_and_escapes_pieces() -> None:
    table = views.candidate_table(step())
    assert table.count("<tr") == 4 and table.count('class="chosen"') == 1
    assert "&lt;t3&gt;\\n" in table and "<t3>" not in table


def test_plot_frames() -> None:
    s = step()
    frame = views.probability_frame(s)
    assert list(frame["chosen"]) == ["chosen", "other", "other"]
    assert views.rank_frame([s]).empty and list(views.entropy_frame([s])["token"]) == [1]


def test_settings_from_values() -> None:
    settings = views.settings_from_values({"temperature": 0.5}, '["x"]', "")
    assert settings.temperature == 0.5 and settings.stop == ("x",) and settings.seed is None


def test_download_text() -> None:
    assert views.download_text(DownloadProgress("http://h/a/m.gguf?x=1", 2**20, 4 * 2**20)) \
        == "⏬ m.gguf: 25% · 1 / 4 MiB"


def test_iframe_is_sandboxed() -> None:
    frame = views.iframe("<script>alert(1)</script>")
    assert 'sandbox=""' in frame and "<script>" not in frame


def test_prompt_collections_are_copied_to_the_home_and_editable(tmp_path: Path) -> None:
    examples = collection(tmp_path, "user_prompts.txt")
    assert examples[0] == "Who are you?" and any("[[" in e for e in examples)
    path = tmp_path / "prompts" / "user_prompts.txt"
    path.write_text("Mine\n$-$-$\nSecond")
    assert collection(tmp_path, "user_prompts.txt") == ["Mine", "Second"]
    assert title("x" * 100).endswith("…") and len(title("x" * 100)) == 70
