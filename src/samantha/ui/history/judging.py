"""The History tab's judging: judge models score the chosen run's answers on a rubric (or
compare them two by two), as ``samantha judge`` does, with its progress in sight; the
leaderboard above it refreshes when they are done."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterator, Mapping

import gradio as gr

from samantha.core.errors import SamanthaError
from samantha.ui.words.table import Text

if TYPE_CHECKING:
    from samantha.workbench.facade import Workbench


class JudgePanel:
    def __init__(self, bench: Workbench, t: Mapping[str, Text], lang: str = "en") -> None:
        self.bench = bench
        self.t = t
        self.lang = lang

    def rubrics(self) -> list[str]:
        from samantha.workbench.rubrics import SEEDS, kept_rubrics

        return [*SEEDS, *kept_rubrics(self.bench.home)]

    def build(self) -> None:
        t = self.t
        with gr.Row(equal_height=True):
            self.judges = gr.Textbox("smollm2", label=t["judge_models"].label,
                                     info=t["judge_models"].help, scale=3,
                                     elem_id="judge-models")
            self.rubric = gr.Dropdown(self.rubrics(), value="seed-pt" if self.lang == "pt"
                                      else "seed", label=t["judge_rubric"].label,
                                      info=t["judge_rubric"].help, scale=2,
                                      elem_id="judge-rubric")
            self.pairwise = gr.Checkbox(False, label=t["judge_pairwise"].label,
                                        info=t["judge_pairwise"].help, scale=2,
                                        elem_id="judge-pairwise")
            self.go = gr.Button(t["judge_go"].label, variant="primary", scale=1,
                                elem_id="judge-go")
        self.progress = gr.Markdown(elem_id="judge-progress")

    def run(self, run_id: Any, judges: str, rubric: str, pairwise: bool) -> Iterator[str]:
        """Judge the run, saying each judgement as it is stored; an error in one line."""
        from samantha.workbench.judging import JudgeRequest, judge_run, judges_of
        from samantha.workbench.rubrics import load_rubric

        t = self.t
        names = judges_of((judges or "").split(","))
        if run_id in (None, "", 0) or not names:
            yield t["msg_judge_what"].label
            return
        unread = done = 0
        try:
            request = JudgeRequest(int(run_id), names, load_rubric(self.bench.home, rubric),
                                   bool(pairwise))
            for judged in judge_run(self.bench, request):
                done, unread = judged.done, unread + (judged.problem is not None)
                yield t["msg_judging"].label.format(done=judged.done, total=judged.total,
                                                    judge=judged.judge)
        except SamanthaError as exc:
            yield f"⚠️ {exc}"
            return
        yield (t["msg_judged"].label.format(done=done, unread=unread) if done
               else t["msg_judged_before"].label)
