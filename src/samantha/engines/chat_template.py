"""A model's chat template (Jinja, from its GGUF metadata), rendered as llama-cpp-python's
``Jinja2ChatFormatter`` renders it: the same sandboxed environment, extensions, filters and
variables, so a prompt is the same text whichever renders it.

This module imports only Jinja: it runs inside the template worker (see
:mod:`samantha.engines.template_worker`), a child process with a time and memory budget,
because a template is code from the model file and can loop or allocate without end.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import jinja2
import jinja2.ext
from jinja2.sandbox import ImmutableSandboxedEnvironment


@dataclass(frozen=True)
class ChatTemplate:
    """A template and the special tokens it may print."""

    source: str
    bos_token: str = ""
    eos_token: str = ""
    add_generation_prompt: bool = True


class _IgnoreGenerationTags(jinja2.ext.Extension):
    """Pass-through for Hugging Face's ``{% generation %}`` tag (as llama-cpp-python does)."""

    tags = {"generation"}

    def parse(self, parser: Any) -> Any:
        parser.stream.skip(1)
        return parser.parse_statements(("name:endgeneration",), drop_needle=True)


def _tojson(x: Any, ensure_ascii: bool = False, indent: int | None = None,
            separators: tuple[str, str] | None = None, sort_keys: bool = False) -> str:
    """Transformers' (and llama-cpp-python's) ``tojson``: no HTML escaping."""
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators,
                      sort_keys=sort_keys)


def _raise_exception(message: str) -> None:
    raise ValueError(message)


def _strftime_now(fmt: str) -> str:
    return datetime.now().strftime(fmt)


def compile_template(source: str) -> jinja2.Template:
    environment = ImmutableSandboxedEnvironment(
        loader=jinja2.BaseLoader(), trim_blocks=True, lstrip_blocks=True,
        extensions=[_IgnoreGenerationTags, jinja2.ext.loopcontrols])
    environment.filters["tojson"] = _tojson
    return environment.from_string(source)


def render(compiled: jinja2.Template, template: ChatTemplate,
           messages: Sequence[dict[str, str]]) -> str:
    """The prompt for ``messages`` (dicts of role and content). A template's own refusal
    (``raise_exception``) is a ``ValueError`` with its message."""
    return compiled.render(
        messages=list(messages), eos_token=template.eos_token, bos_token=template.bos_token,
        raise_exception=_raise_exception, add_generation_prompt=template.add_generation_prompt,
        functions=None, function_call=None, tools=None, tool_choice=None,
        strftime_now=_strftime_now)
