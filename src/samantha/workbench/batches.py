"""Batch files and the history (:mod:`samantha.core.batchfile`): a planned run written as an
OpenAI batch input file, the batch runner's output file read back into that run, and an input
file run through Samantha's own backends.

The run is stored when its file is written, *interrupted* with the reason: its cycles are
recorded as the answers come back (matched by ``custom_id``), and what no answer came for can
still be run with ``samantha history resume``.
"""

from __future__ import annotations

from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Iterator, Sequence

from samantha.core.answer_events import GenerationResult
from samantha.core.backend_specs import parse_ref
from samantha.core.batchfile import (
    BatchAnswer,
    BatchFileError,
    BatchRequest,
    answer_line,
    cycle_id,
    cycle_of,
    not_sent,
    request_line,
)
from samantha.core.chain import ChainConfig
from samantha.core.chat import Message
from samantha.core.errors import InputError, SamanthaError
from samantha.core.generation import Ask
from samantha.core.plan import Cycle, independent
from samantha.core.runner import ChainRunner, make_plan, run_seed
from samantha.core.settings import Settings

if TYPE_CHECKING:
    from samantha.workbench.facade import Workbench

AHEAD = 4  # requests submitted per request in progress (a million lines are not all queued)


@dataclass(frozen=True)
class Exported:
    run_id: int
    requests: int
    not_sent: tuple[str, ...]  # settings in effect that the file cannot carry


@dataclass(frozen=True)
class Imported:
    run_id: int
    done: int
    failed: int
    already: int  # answers of cycles imported before (left as they were)
    missing: int  # planned cycles no answer came for
    status: str


def export_batch(bench: Workbench, config: ChainConfig, path: Path) -> Exported:
    """Plan ``config``, store the run and write its cycles to ``path`` as an input file."""
    import random

    from samantha.workbench.liveness import this_process

    config = config.replace(seed=run_seed(config))
    if not independent(config, make_plan(config, random.Random(config.seed))):
        raise InputError("A batch file holds cycles that do not depend on each other: no "
                         "feedback, no cumulative responses, no final item. Run this chain "
                         "with `samantha run` instead.")
    asks = list(ChainRunner(bench, config).asks())
    run_id = bench.store.start_run(config.to_dict(), this_process())
    count = 0
    with open(path, "w", encoding="utf-8") as out:
        for cycle, messages, settings, _ in asks:
            ref = parse_ref(cycle.model)
            out.write(request_line(cycle_id(run_id, cycle.number),
                                   ref.model if ref and ref.model else cycle.model,
                                   messages, settings) + "\n")
            count += 1
    bench.store.interrupt_run(run_id, f"written as a batch file ({path.name}): `samantha "
                                      "batch import OUTPUT` records its answers")
    return Exported(run_id, count, tuple(not_sent(config.settings)))


def import_batch(bench: Workbench, answers: Sequence[BatchAnswer]) -> Imported:
    """Record the answers of an output file as the cycles of the run they were written for;
    the run is finished once every cycle has an answer."""
    found = [cycle_of(a.custom_id) for a in answers]
    runs = {f[0] for f in found if f is not None}
    if not answers or None in found or len(runs) != 1:
        bad = next((a.custom_id for a, f in zip(answers, found) if f is None), None)
        raise BatchFileError(
            "The output file's custom_ids must all be those of one batch file written by "
            "`samantha run … --export-batch`" + (f" (not {bad!r})." if bad else "."))
    (run_id,) = runs
    record = bench.store.get_run(run_id)
    if record.status != "interrupted":
        raise InputError(f"Run {run_id} is {record.status}: its answers were recorded "
                         "already, or it runs now.")
    config = ChainConfig.from_dict(record.config, where=f"Stored run {run_id}")
    planned = {c.number: (c, m, s, d) for c, m, s, d in ChainRunner(bench, config).asks()}
    have = {c.number for c in record.cycles}
    done = failed = already = 0
    numbered = sorted(((f[1], a) for a, f in zip(answers, found) if f is not None),
                      key=lambda pair: pair[0])
    for number, answer in numbered:
        if number not in planned:
            raise BatchFileError(f"Run {run_id} has no cycle {number} (custom_id "
                                 f"{answer.custom_id!r}).")
        if number in have:
            already += 1
            continue
        have.add(number)
        _record(bench, run_id, answer, *planned[number])
        failed += answer.error is not None
        done += answer.error is None
    missing = len(planned) - len(have)
    if not missing:
        bench.store.finish_run(run_id, "finished")
    return Imported(run_id, done, failed, already, missing, "finished" if not missing
                    else "interrupted")


def _record(bench: Workbench, run_id: int, answer: BatchAnswer, cycle: Cycle,
            messages: tuple[Message, ...], settings: Settings,
            drawn: dict[str, float] | None) -> None:
    store = bench.store
    cid = store.start_cycle(run_id, number=cycle.number, model=cycle.model, model_path=None,
                            model_sha256=None, round=cycle.round, item=cycle.item,
                            prompt=cycle.prompt.render([]),
                            messages=[m.to_dict() for m in messages],
                            settings=settings.to_dict(), random_overrides=drawn)
    store.finish_cycle(cid, response=answer.text, tokens=answer.tokens,
                       prompt_tokens=answer.prompt_tokens, seconds=0.0,
                       finish_reason=answer.finish_reason, error=answer.error,
                       status="failed" if answer.error else "done")
    by = answer.model if "@" in answer.model else f"{answer.model or 'model'}@batch"
    store.set_answered_by(cid, by, None)  # MODEL@BACKEND when Samantha's backends answered


def run_batch(bench: Workbench, requests: Sequence[BatchRequest], model: str | None,
              concurrency: int, retry: bool = False) -> Iterator[str]:
    """Answer an input file's requests with ``model`` (else each one's own), ``concurrency``
    at once over remote backends; yield the output lines in the input's order."""
    remote = all(parse_ref(model or r.model) is not None for r in requests)
    width = concurrency if remote else 1  # the embedded engine answers one at a time
    with ThreadPoolExecutor(width, thread_name_prefix="samantha-batch") as pool:
        queued = iter(requests)
        waiting: deque[Future[str]] = deque(
            pool.submit(_answer, bench, request, model, retry)
            for request in islice(queued, width * AHEAD))
        while waiting:
            yield waiting.popleft().result()
            following = next(queued, None)
            if following is not None:
                waiting.append(pool.submit(_answer, bench, following, model, retry))


def _answer(bench: Workbench, request: BatchRequest, model: str | None, retry: bool) -> str:
    name = model or request.model
    result = None
    try:
        for event in bench.generate(Ask(request.messages, request.settings, name),
                                    retry=retry):
            if isinstance(event, GenerationResult):
                result = event
    except SamanthaError as exc:
        return answer_line(request.custom_id, name, "", 0, 0, "stop", str(exc))
    assert result is not None
    return answer_line(request.custom_id, result.answered_by or name, result.text,
                       result.tokens, result.prompt_tokens,
                       "length" if result.finish_reason == "length" else "stop", result.error)
