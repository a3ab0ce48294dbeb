"""A batch runner standing in for vLLM's ``run-batch`` (or OpenAI's Batch API): it reads an
input file and writes an output file in their format, answers in another order than asked,
each answer ``max_tokens`` words ``w0 w1 …``, and the requests named in ``fail`` failed."""

from __future__ import annotations

import json
import random
from pathlib import Path


def run_batch(source: Path, target: Path, fail: tuple[str, ...] = (),
              only: int | None = None) -> None:
    """Answer ``source`` into ``target``; ``only``: the first N requests only."""
    lines = [json.loads(line) for line in source.read_text().splitlines() if line.strip()]
    lines = lines[:only] if only is not None else lines
    random.Random(3).shuffle(lines)
    out = []
    for n, request in enumerate(lines):
        body, custom_id = request["body"], request["custom_id"]
        if custom_id in fail:
            out.append({"id": f"vllm-{n}", "custom_id": custom_id, "response": None,
                        "error": {"code": "server_error", "message": "the engine died"}})
            continue
        words = body["max_tokens"]
        out.append({"id": f"vllm-{n}", "custom_id": custom_id, "error": None, "response": {
            "status_code": 200, "request_id": f"vllm-batch-{n}", "body": {
                "id": f"chatcmpl-{n}", "object": "chat.completion", "created": 0,
                "model": body["model"], "choices": [{
                    "index": 0, "message": {"role": "assistant", "content": "".join(
                        f"w{i} " for i in range(words))},
                    "logprobs": None, "finish_reason": "length"}],
                "usage": {"prompt_tokens": 9, "completion_tokens": words,
                          "total_tokens": 9 + words}}}})
    target.write_text("".join(json.dumps(line) + "\n" for line in out))
