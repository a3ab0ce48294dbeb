"""What one browser tab remembers: its transcript, its run's buttons, its learning traces.

Gradio keeps one of these per tab (a ``gr.State`` built by a factory), so two tabs never see
each other's output or stop each other's runs.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from samantha.core.control import RunControl
from samantha.core.trace import TokenStep
from samantha.core.transcript import Transcript
from samantha.core.whatif import RecentLogits
from samantha.ui.learning.inside import InsideChoice


@dataclass
class UiSession:
    transcript: Transcript = field(default_factory=Transcript)
    control: RunControl = field(default_factory=RunControl)
    steps: list[TokenStep] = field(default_factory=list)  # the current answer's traces
    panels_shown: bool = False  # the learning panels show traces (so a clean must clear them)
    run_id: int | None = None
    last_code: Any = None  # the last CodeResult shown
    busy: threading.Lock = field(default_factory=threading.Lock)  # held while a chain runs
    memory: RecentLogits = field(default_factory=RecentLogits)  # the last tokens' logits
    cycle: Any = None  # the CycleStarted of the answer in the learning panels (for what-if)
    inside: InsideChoice = field(default_factory=InsideChoice)  # the layer enlarged, the draws

    def __deepcopy__(self, memo: dict) -> "UiSession":
        # Gradio deep-copies state values; a session is made fresh per tab by its factory and
        # holds locks, so the copy is the object itself.
        return self
