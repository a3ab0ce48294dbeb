"""OpenAI batch files: the JSON Lines that OpenAI's Batch API, vLLM's ``run-batch`` and the
scripts written for Ollama read and write.

An input line asks for one chat completion::

    {"custom_id": "samantha-run-12-cycle-3", "method": "POST", "url": "/v1/chat/completions",
     "body": {"model": "qwen", "messages": [...], "max_tokens": 64, "temperature": 0.7, ...}}

An output line answers one, matched by ``custom_id`` (in any order)::

    {"id": "...", "custom_id": "samantha-run-12-cycle-3", "error": null,
     "response": {"status_code": 200, "body": {"choices": [{"message": {"content": "..."},
                                                          "finish_reason": "stop"}],
                                             "usage": {"completion_tokens": 17, ...}}}}

A run's cycles become input lines (their messages and the settings a batch runner can honour);
answers come back as the run's cycles. Everything read is bounded and checked: one line per
request, at most :data:`LINE_BYTES` a line and :data:`MAX_LINES` lines; a wrong line is one
sentence naming its number.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Iterable, Iterator

from samantha.core.chat import Message
from samantha.core.errors import InputError, SamanthaError
from samantha.core.remote import in_effect
from samantha.core.settings import Settings

PATH = "/v1/chat/completions"
LINE_BYTES = 8 * 1024 * 1024  # one request: a long conversation fits
FILE_BYTES = 1024**3  # a file is read whole (a million requests of 1 KB): split a larger one
MAX_LINES = 1_000_000  # as many as a run may plan
MAX_COUNT = 10**9  # tokens of one answer, at most, as a runner may report them
MODEL_CHARS = 200  # of the model name an output line gives (stored as who answered)
CUSTOM_ID = re.compile(r"samantha-run-(\d+)-cycle-(\d+)")
ROLES = ("system", "user", "assistant")

#: Body keys and the setting each one carries (OpenAI's names, and the extra ones vLLM and
#: llama-server read). What a batch runner cannot be told is said when the file is written.
SENT = {"temperature": "temperature", "top_p": "top_p", "seed": "seed",
        "presence_penalty": "presence_penalty", "frequency_penalty": "frequency_penalty",
        "top_k": "top_k", "min_p": "min_p", "repetition_penalty": "repeat_penalty"}
READ = {**SENT, "max_tokens": "max_tokens", "max_completion_tokens": "max_tokens",
        "stop": "stop"}
IGNORED = ("stream", "stream_options", "user", "n", "logprobs", "top_logprobs")


class BatchFileError(InputError):
    """A batch file that cannot be read as one."""


@dataclass(frozen=True)
class BatchRequest:
    custom_id: str
    model: str
    messages: tuple[Message, ...]
    settings: Settings


@dataclass(frozen=True)
class BatchAnswer:
    custom_id: str
    text: str
    tokens: int
    prompt_tokens: int
    finish_reason: str
    model: str
    error: str | None = None


def cycle_id(run_id: int, number: int) -> str:
    return f"samantha-run-{run_id}-cycle-{number}"


def cycle_of(custom_id: str) -> tuple[int, int] | None:
    """(run, cycle number) of a custom_id this module wrote, else None."""
    match = CUSTOM_ID.fullmatch(custom_id)
    return (int(match[1]), int(match[2])) if match else None


def request_line(custom_id: str, model: str, messages: Iterable[Message],
                 settings: Settings) -> str:
    """One input line: ``messages`` for ``model`` with the settings a batch runner reads."""
    body: dict[str, Any] = {"model": model, "messages": [m.to_dict() for m in messages],
                            "max_tokens": settings.max_tokens}
    for key, name in SENT.items():
        body[key] = getattr(settings, name)
    if settings.stop:
        body["stop"] = list(settings.stop)
    return json.dumps({"custom_id": custom_id, "method": "POST", "url": PATH, "body": body},
                      ensure_ascii=False)


def not_sent(settings: Settings) -> list[str]:
    """The settings in effect that an input line cannot carry (they are not applied there)."""
    sent = {*SENT.values(), "max_tokens", "stop"}
    return [name for name in in_effect(settings).stages if name not in sent]


def lines_of(text_lines: Iterable[str], what: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) of each non-empty line, bounded."""
    for number, line in enumerate(text_lines, 1):
        if number > MAX_LINES:
            raise BatchFileError(f"{what} has more than {MAX_LINES:,} lines: split it.")
        if len(line) > LINE_BYTES:
            raise BatchFileError(f"{what}, line {number}: longer than {LINE_BYTES // 2**20} "
                                 "MiB; one line holds one request.")
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except ValueError as exc:
            raise BatchFileError(f"{what}, line {number}: not JSON ({exc}).") from None
        if not isinstance(data, dict) or not isinstance(data.get("custom_id"), str):
            raise BatchFileError(f"{what}, line {number}: not a batch line (an object with a "
                                 "custom_id text).")
        yield number, data


def read_requests(text_lines: Iterable[str], what: str = "The batch input") -> list[
        BatchRequest]:
    """The requests of an input file, each checked (unknown body keys are refused)."""
    out, seen = [], set()
    for number, data in lines_of(text_lines, what):
        where = f"{what}, line {number}"
        if data["custom_id"] in seen:
            raise BatchFileError(f"{where}: custom_id {data['custom_id']!r} twice.")
        seen.add(data["custom_id"])
        if data.get("url", PATH) != PATH:
            raise BatchFileError(f"{where}: url {data.get('url')!r}; only {PATH} is run.")
        body = data.get("body")
        if not isinstance(body, dict) or not isinstance(body.get("model"), str):
            raise BatchFileError(f"{where}: the body must be an object with a model name.")
        out.append(BatchRequest(data["custom_id"], body["model"], _messages(body, where),
                                _settings(body, where)))
    return out


def _messages(body: dict[str, Any], where: str) -> tuple[Message, ...]:
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise BatchFileError(f"{where}: messages must be a list of {{role, content}}.")
    out = []
    for m in messages:
        if not (isinstance(m, dict) and m.get("role") in ROLES
                and isinstance(m.get("content"), str)):
            raise BatchFileError(f"{where}: each message needs a role ({', '.join(ROLES)}) "
                                 "and a text content.")
        out.append(Message(m["role"], m["content"]))
    return tuple(out)


def _settings(body: dict[str, Any], where: str) -> Settings:
    unknown = sorted(set(body) - {"model", "messages", *READ, *IGNORED})
    if unknown:
        raise BatchFileError(f"{where}: {', '.join(unknown)} cannot be run here; known: "
                             f"{', '.join(sorted(READ))}.")
    values = {READ[k]: v for k, v in body.items() if k in READ and v is not None}
    if isinstance(values.get("stop"), str):
        values["stop"] = [values["stop"]]
    try:
        return Settings().replace(**values)
    except SamanthaError as exc:
        raise BatchFileError(f"{where}: {exc}") from None


def read_answers(text_lines: Iterable[str], what: str = "The batch output") -> list[
        BatchAnswer]:
    """The answers of an output file (a failed request is an answer with its error)."""
    out = []
    for number, data in lines_of(text_lines, what):
        out.append(_answer(data, f"{what}, line {number}"))
    return out


def _answer(data: dict[str, Any], where: str) -> BatchAnswer:
    custom_id = data["custom_id"]
    error, response = data.get("error"), data.get("response")
    body = response.get("body") if isinstance(response, dict) else None
    status = response.get("status_code", 200) if isinstance(response, dict) else None
    if error or not isinstance(body, dict) or status != 200:
        said = error.get("message") if isinstance(error, dict) else error
        said = said or (body.get("error") if isinstance(body, dict) else None) or \
            f"status {status}"
        if isinstance(said, dict):
            said = said.get("message", said)
        return BatchAnswer(custom_id, "", 0, 0, "error", "", f"the batch runner failed: {said}")
    choices = body.get("choices")
    choice = choices[0] if isinstance(choices, list) and choices else None
    message = choice.get("message") if isinstance(choice, dict) else None
    text = message.get("content") if isinstance(message, dict) else None
    if not isinstance(text, str):
        raise BatchFileError(f"{where}: the response holds no choices[0].message.content.")
    usage = body.get("usage")
    usage = usage if isinstance(usage, dict) else {}
    finish = choice.get("finish_reason") if isinstance(choice, dict) else None
    model = body.get("model")
    return BatchAnswer(custom_id, text, _count(usage.get("completion_tokens")),
                       _count(usage.get("prompt_tokens")),
                       "length" if finish == "length" else "stop",
                       model[:MODEL_CHARS] if isinstance(model, str) else "")


def _count(value: Any) -> int:
    """A token count as a runner reports it: a whole number in bounds, else 0 (unknown)."""
    ok = isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_COUNT
    return value if ok else 0


def answer_line(custom_id: str, model: str, text: str, tokens: int, prompt_tokens: int,
                finish_reason: str, error: str | None = None) -> str:
    """One output line, as OpenAI's and vLLM's batch runners write it."""
    if error:
        return json.dumps({"id": f"batch-{custom_id}", "custom_id": custom_id,
                           "response": None, "error": {"code": "failed", "message": error}},
                          ensure_ascii=False)
    body = {"object": "chat.completion", "model": model, "choices": [
        {"index": 0, "message": {"role": "assistant", "content": text},
         "finish_reason": finish_reason}],
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": tokens,
                  "total_tokens": prompt_tokens + tokens}}
    return json.dumps({"id": f"batch-{custom_id}", "custom_id": custom_id,
                       "response": {"status_code": 200, "body": body}, "error": None},
                      ensure_ascii=False)
