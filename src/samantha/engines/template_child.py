"""The template worker's child process: ``python -m samantha.engines.template_child SECONDS
MEMORY OUTPUT``. It caps its own address space at MEMORY bytes, says it is ready, then renders
one request at a time from standard input and answers on standard output (frames: an 8-byte
length, then JSON). A render that outlives SECONDS (plus a grace the parent's deadline comes
before) ends the process: the parent kills it first, and this holds even if the parent died.
The parent is :class:`samantha.engines.template_worker.TemplateWorker`.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import struct
import sys
from typing import Any, BinaryIO

from jinja2 import TemplateSyntaxError

from samantha.engines.chat_template import ChatTemplate, compile_template, render

FRAME = struct.Struct("<Q")
GRACE_SECONDS = 1.0  # the parent kills at SECONDS; this is only for a parent that is gone
TIMED_OUT = 3  # exit status of a child that ended itself at its deadline


def read_frame(stream: BinaryIO) -> Any | None:
    head = stream.read(FRAME.size)
    if len(head) < FRAME.size:
        return None  # the parent closed the pipe (or died): time to go
    body = stream.read(FRAME.unpack(head)[0])
    return json.loads(body.decode("utf-8", "surrogatepass"))


def encode(message: dict[str, Any]) -> bytes:
    body = json.dumps(message, ensure_ascii=False).encode("utf-8", "surrogatepass")
    return FRAME.pack(len(body)) + body


def answer(request: dict[str, Any], compiled: dict[str, Any], output_limit: int) -> bytes:
    template = ChatTemplate(**request["template"])
    if template.source not in compiled:
        compiled.clear()  # one model's template at a time
        compiled[template.source] = compile_template(template.source)
    text = render(compiled[template.source], template, request["messages"])
    reply = encode({"text": text})
    if len(reply) > output_limit + FRAME.size + 16:
        return encode({"error": "output", "size": len(reply)})
    return reply


def main(argv: list[str]) -> int:
    seconds, memory, output_limit = float(argv[1]), int(argv[2]), int(argv[3])
    hard = resource.getrlimit(resource.RLIMIT_AS)[1]
    if hard != resource.RLIM_INFINITY:
        memory = min(memory, hard)  # a tighter limit from outside stays
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    signal.signal(signal.SIGALRM, lambda *_: os._exit(TIMED_OUT))
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the parent's to handle
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    compiled: dict[str, Any] = {}
    stdout.write(encode({"ready": True}))
    stdout.flush()
    while (request := read_frame(stdin)) is not None:
        signal.setitimer(signal.ITIMER_REAL, seconds + GRACE_SECONDS)
        failed_memory = False
        try:
            reply = answer(request, compiled, output_limit)
        except MemoryError:
            compiled.clear()
            reply, failed_memory = encode({"error": "memory"}), True
        except RecursionError:
            reply = encode({"error": "template", "message": "it recurses too deeply"})
        except TemplateSyntaxError as exc:
            reply = encode({"error": "syntax", "message": f"{exc.message} (line {exc.lineno})"})
        except Exception as exc:  # noqa: BLE001 - the template's own error, whatever it is
            reply = encode({"error": "template", "message": f"{exc}"[:2000]})
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        stdout.write(reply)
        stdout.flush()
        if failed_memory:
            return 0  # start afresh for the next render
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
