"""Chat templates rendered in the template worker (a child process with a time and memory
budget): real templates render exactly as llama-cpp-python's formatter renders them, and
hostile ones end with one message naming the limit, while the worker goes on serving."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from samantha.core.errors import TemplateError
from samantha.engines.chat_template import ChatTemplate
from samantha.engines.template_worker import (
    TEMPLATE_MEMORY_BYTES,
    TEMPLATE_SECONDS,
    TemplateLimits,
    TemplateWorker,
)

TEMPLATES = Path(__file__).parent / "templates"  # as published with the models
GEMMA_2 = (TEMPLATES / "gemma-2.jinja").read_text(encoding="utf-8")  # google/gemma-2-2b-it
LLAMA_3_2 = (TEMPLATES / "llama-3.2.jinja").read_text(encoding="utf-8")  # Llama-3.2-3B-Instruct

CHATML = (  # SmolLM2's, and the tests' tiny model's
    "{% for message in messages %}<|im_start|>{{ message['role'] }}\n{{ message['content'] }}"
    "<|im_end|>\n{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
EXTENSIONS = (  # what llama-cpp-python adds to Jinja: the generation tag, loop controls, tojson
    "{% for m in messages %}{% if loop.index > 3 %}{% break %}{% endif %}{% generation %}"
    "{{ m | tojson }}{% endgeneration %}{% endfor %}{{ tools | tojson }}{{ bos_token }}"
)
MESSAGES = {
    "user": [{"role": "user", "content": "Hi"}],
    "system": [{"role": "system", "content": "Be brief. "}, {"role": "user", "content": "Hi"}],
    "feedback": [{"role": "user", "content": ""}, {"role": "assistant", "content": "Olá, \"x\""},
                 {"role": "user", "content": "Again\n"}],
}


def formatter_prompt(source: str, messages: list[dict[str, str]]) -> str:
    """What llama-cpp-python's Jinja2ChatFormatter renders (the renderer used before)."""
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    formatter = Jinja2ChatFormatter(template=source, eos_token="</s>", bos_token="<s>",
                                    add_generation_prompt=True)
    return formatter(messages=messages).prompt


@pytest.fixture(scope="module")
def workers():
    made: dict[str, TemplateWorker] = {}

    def worker(source: str, limits: TemplateLimits = TemplateLimits()) -> TemplateWorker:
        if (source, limits) not in made:
            made[source, limits] = TemplateWorker(ChatTemplate(source, "<s>", "</s>"), "test",
                                                  limits)
        return made[source, limits]

    yield worker
    for w in made.values():
        w.close()


@pytest.mark.parametrize("source", [CHATML, GEMMA_2, LLAMA_3_2, EXTENSIONS],
                         ids=["chatml", "gemma-2", "llama-3.2", "extensions"])
@pytest.mark.parametrize("kind", list(MESSAGES))
def test_real_templates_render_as_before(workers, source: str, kind: str) -> None:
    messages = MESSAGES[kind]
    try:
        expected = formatter_prompt(source, messages)
    except ValueError as exc:  # the template refuses these messages (Gemma: no system role)
        with pytest.raises(TemplateError, match=f"rejected the messages: {exc}"):
            workers(source).render(messages)
        return
    assert workers(source).render(messages) == expected


LOOPS = ("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}")
HUGE = "{% for m in messages %}{{ m['content'] * 500000000 }}{% endfor %}"
HOSTILE_WHEN_ASKED = (  # hostile only for some messages: the next render must still work
    "{% if messages[-1]['content'] == 'loop' %}" + LOOPS + "{% endif %}"
    "{% if messages[-1]['content'] == 'big' %}" + HUGE + "{% endif %}" + CHATML
)


def test_endless_loops_end_at_the_time_limit_and_the_next_render_works(workers) -> None:
    worker = workers(HOSTILE_WHEN_ASKED)
    started = time.monotonic()
    with pytest.raises(TemplateError, match=f"more than {TEMPLATE_SECONDS:g} s to render "
                                            r"\(the limit on a chat template's time\)"):
        worker.render([{"role": "user", "content": "loop"}])
    assert time.monotonic() - started < 10 * TEMPLATE_SECONDS  # ended, not hung
    assert worker.render(MESSAGES["user"]) == formatter_prompt(CHATML, MESSAGES["user"])


def test_a_huge_string_ends_at_the_memory_limit_and_the_next_render_works(workers) -> None:
    worker = workers(HOSTILE_WHEN_ASKED)
    worker.render(MESSAGES["user"])  # a running worker, to look at its limit
    limits = (Path(f"/proc/{worker._proc.pid}/limits").read_text().splitlines())
    assert f"{TEMPLATE_MEMORY_BYTES}" in next(line for line in limits if "address space" in line)
    with pytest.raises(TemplateError, match=f"more than {TEMPLATE_MEMORY_BYTES // 2**20} MiB "
                                            r"to render \(the limit on a chat template's memory"):
        worker.render([{"role": "user", "content": "big"}])  # 1.5 GB asked for
    assert worker.render(MESSAGES["user"]) == formatter_prompt(CHATML, MESSAGES["user"])


def test_a_huge_prompt_ends_at_the_output_limit(workers) -> None:
    worker = workers("{{ 'x' * 5000 }}", TemplateLimits(output_bytes=1000))
    with pytest.raises(TemplateError, match="prompt of 5,0.. bytes, above the limit of 1,000"):
        worker.render(MESSAGES["user"])


def test_stop_ends_a_render_at_once(workers) -> None:
    worker = workers(LOOPS, TemplateLimits(seconds=600))  # only Stop can end it in time
    stop = threading.Event()
    threading.Timer(0.5, stop.set).start()
    with pytest.raises(TemplateError, match="Stopped while the chat template of test rendered"):
        worker.render(MESSAGES["user"], stop)
    assert worker._proc is None  # killed; the next render starts a new worker


def test_a_template_that_is_not_jinja_is_one_line(workers) -> None:
    with pytest.raises(TemplateError, match=r"is not valid Jinja: .* \(line 1\)"):
        workers("{% for %}").render(MESSAGES["user"])


def test_a_closed_worker_ends_its_process(workers) -> None:
    worker = TemplateWorker(ChatTemplate(CHATML), "test")
    worker.render(MESSAGES["user"])
    proc = worker._proc
    worker.close()
    assert proc.poll() is not None
