"""How a cycle's messages become the text a model reads: each model used as it is made.

- ``chat``: the model's own chat template (from its GGUF file), as its makers trained it to
  read a conversation. A model with no template gets the plain transcript instead.
- ``completion``: the text itself, for the model to continue: what a base model (no chat
  template, such as Gemma 3 270M) is made for. The system prompt and the previous response, when
  there are any, come first, each followed by a blank line. The answer ends at the end of its
  paragraph (a blank line), at the model's end token, or at ``max_tokens``.
- ``plain``: the documented transcript (``User: …`` / ``Assistant:``) that any model can follow a
  little, with or without a template (see :func:`samantha.core.chat.plain_prompt`).
- ``auto`` (the default) picks one per cycle: ``chat`` when the model has a template; otherwise
  ``completion`` when the cycle has only a prompt (no system prompt, no previous response),
  and ``plain`` when it has more (a conversation to show).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from samantha.core.chat import ChatPrompt, Message, plain_prompt
from samantha.core.errors import SettingsError

if TYPE_CHECKING:
    from samantha.core.engine import Cancel, ModelSession

AUTO, CHAT, COMPLETION, PLAIN = "auto", "chat", "completion", "plain"
FORMATS = (AUTO, CHAT, COMPLETION, PLAIN)
COMPLETION_STOP = ("\n\n",)  # a continuation ends with its paragraph

PROMPT_FORMAT_HELP = (
    "How the prompt is given to the model. auto (the default): a model's own chat template when "
    "its file has one; for a base model (no template), the prompt itself to continue "
    "(completion) when there is no system prompt or previous response, else the plain "
    "transcript. chat: the chat template. completion: the text, continued to the end of its "
    "paragraph. plain: 'User: … Assistant:' lines."
)


def parse_prompt_format(value: object) -> str:
    """One of :data:`FORMATS` (any case, spaces around allowed)."""
    text = str(value).strip().lower() if value is not None else ""
    if text not in FORMATS:
        raise SettingsError(f"prompt_format must be one of {', '.join(FORMATS)}, got "
                            f"{str(value)!r}. {PROMPT_FORMAT_HELP}")
    return text


def resolve(requested: str, has_template: bool, messages: Sequence[Message]) -> str:
    """The format a cycle gets: ``chat``, ``completion`` or ``plain`` (never ``auto``)."""
    if requested == COMPLETION:
        return COMPLETION
    if requested == PLAIN:
        return PLAIN
    if has_template:
        return CHAT
    if requested == CHAT:  # no template to use: the transcript is the chat it can follow
        return PLAIN
    return COMPLETION if only_a_prompt(messages) else PLAIN


def only_a_prompt(messages: Sequence[Message]) -> bool:
    """True when the messages are one user turn, nothing before it."""
    said = [m for m in messages if m.content]
    return len(said) == 1 and said[0].role == "user"


def completion_prompt(messages: Sequence[Message]) -> ChatPrompt:
    """The text to continue: what was said, in order, a blank line between the parts."""
    return ChatPrompt("\n\n".join(m.content for m in messages if m.content), COMPLETION_STOP)


def prompt_for(session: "ModelSession", messages: Sequence[Message], requested: str,
               cancel: "Cancel | None" = None) -> ChatPrompt:
    """The text ``session``'s model reads for ``messages`` in the ``requested`` format."""
    kind = resolve(requested, session.has_chat_template, messages)
    if kind == COMPLETION:
        return completion_prompt(messages)
    if kind == PLAIN:
        return plain_prompt(messages)
    return session.render_chat(messages, cancel)
