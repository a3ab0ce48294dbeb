"""Sentences the interface composes from values, in its language: the status line, the plan
line under the USER prompt, the output box's footers. Pure functions of the texts table."""

from __future__ import annotations

from typing import Mapping, Sequence

from samantha.core.placement import BackendStatus
from samantha.core.progress import Progress
from samantha.core.transcript import Phrases
from samantha.core.verdict import VerdictWords
from samantha.documents.leaderboard import BoardWords
from samantha.ui.words.table import Text


def plural(t: Mapping[str, Text], key: str, n: int) -> str:
    """``"{n} prompt|{n} prompts"`` -> ``"1 prompt"`` or ``"2 prompts"``."""
    one, _, many = t[key].label.partition("|")
    return (one if n == 1 else many or one).format(n=f"{n:,}")


def short_name(model: str) -> str:
    """A model as the status line names it: a URL by its file name."""
    return model.rsplit("/", 1)[-1].split("?", 1)[0] or model


def _number(value: float, lang: str) -> str:
    text = f"{value:.1f}"
    return text.replace(".", ",") if lang == "pt" else text


def status_text(progress: Progress | None, t: Mapping[str, Text], lang: str = "en") -> str:
    """``Cycle 2 of 6 · 31 tokens · 30.2 tokens/s``, ``Loading model default…``, ``Ready.``"""
    if progress is None:
        return t["status_ready"].label
    phase = progress.phase
    if phase == "finished":
        key = {"stopped": "status_stopped", "failed": "status_failed",
               "interrupted": "status_interrupted"}.get(
            progress.status, "status_finished")
        return t[key].label
    if phase == "starting":
        return t["status_starting"].label
    if phase == "loading":
        return t["status_loading"].label.format(model=short_name(progress.model))
    if phase == "downloading":
        share = "…" if progress.downloaded is None else f"{progress.downloaded:.0%}"
        return t["status_downloading"].label.format(model=short_name(progress.model), share=share)
    cycle = t["status_cycle"].label.format(cycle=progress.cycle, total=progress.total)
    if phase == "generating":
        detail = plural(t, "status_tokens", progress.tokens)
        if progress.tokens_per_second > 0:
            speed = _number(progress.tokens_per_second, lang)
            detail += " · " + t["status_speed"].label.format(speed=speed)
    else:
        detail = t[{"reading": "status_reading", "code": "status_code"}.get(
            phase, "status_between")].label
    return f"{cycle} · {detail}"


def backends_text(statuses: Sequence[BackendStatus], t: Mapping[str, Text]) -> str | None:
    """``backends up: 3, busy: 1, benched: 1`` for the remote backends in use (None: none)."""
    if not statuses:
        return None
    states = [s.state for s in statuses]
    return t["status_backends"].label.format(up=states.count("up"), busy=states.count("busy"),
                                             benched=states.count("benched"))


def plan_text(t: Mapping[str, Text], prompts: int, models: int, responses: int, loops: int,
              single: bool) -> str:
    """``2 prompts × 1 model = 2 cycles`` (responses and loops shown when more than one)."""
    if single:
        cycles = min(prompts, models)
        return (f"{plural(t, 'plan_prompts', prompts)} × {plural(t, 'plan_models', models)} "
                f"({t['plan_single'].label}) = {plural(t, 'plan_cycles', cycles)}")
    parts = [plural(t, "plan_prompts", prompts), plural(t, "plan_models", models)]
    if responses > 1:
        parts.append(plural(t, "plan_responses", responses))
    if loops > 1:
        parts.append(plural(t, "plan_loops", loops))
    cycles = prompts * models * responses * loops
    return " × ".join(parts) + f" = {plural(t, 'plan_cycles', cycles)}"


def formats_text(t: Mapping[str, Text], formats: list[tuple[str, str, str]]) -> str:
    """``Prompt format: smollm2: its chat template · default: the text, continued``, from
    (model, the first cycle's format, the format once there is a previous response)."""
    said = []
    for model, first, later in formats:
        text = t[f"format_{first}"].label
        if later != first:
            text += ", " + t["format_later"].label.format(t[f"format_{later}"].label)
        said.append(f"{short_name(model)}: {text}")
    return t["plan_format"].label.format(" · ".join(said))


def phrases(t: Mapping[str, Text]) -> Phrases:
    """The output box's words (footers, errors, notes) in the interface's language."""
    return Phrases(
        endings={"cancelled": t["ending_cancelled"].label, "error": t["ending_error"].label,
                 "repetition": t["ending_repetition"].label},
        error=t["out_error"].label, note=t["out_note"].label,
        printed_nothing=t["out_printed_nothing"].label, left_out=t["out_left_out"].label,
        answered_by=t["answered_by"].label, restarted=t["msg_answer_restarted"].label,
        verdict=VerdictWords(t["verdict_won"].label, t["verdict_tie"].label,
                             t["verdict_unread"].label),
        checks=t["checks_passed"].label, check_failed=t["check_failed"].label,
        check_undone=t["check_undone"].label)


def board_words(t: Mapping[str, Text]) -> BoardWords:
    """A leaderboard's words in the interface's language."""
    return BoardWords(**{name: t[f"board_{name}"].label for name in (
        "model", "answers", "overall", "judged", "unread", "checks", "speed", "rating", "empty",
        "chart", "axis", "bias")})
