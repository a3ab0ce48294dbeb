"""Chat messages and the plain prompt format used for models without a chat template."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Sequence

Role = Literal["system", "user", "assistant"]


@dataclass(frozen=True)
class Message:
    role: Role
    content: str

    def to_dict(self) -> dict[str, str]:
        return {"role": self.role, "content": self.content}


@dataclass(frozen=True)
class ChatPrompt:
    """The text sent to the model and the stop strings its format implies."""

    text: str
    stop: tuple[str, ...] = ()


def build_messages(system: str, previous: str, prompt: str) -> list[Message]:
    """The messages of one cycle (SPEC §3.5): ``[system]``, then, when there is a previous
    response, an empty user turn and that response as the assistant's turn, then the prompt."""
    messages = [Message("system", system)] if system else []
    if previous:
        messages += [Message("user", ""), Message("assistant", previous)]
    messages.append(Message("user", prompt))
    return messages


PLAIN_STOP = ("\nUser:", "\nAssistant:", "\nSystem:")  # a new turn starts


def plain_prompt(messages: Sequence[Message]) -> ChatPrompt:
    """The documented fallback for models without a chat template (base models)::

        <system text>

        User: <text>
        Assistant: <text>
        User: <prompt>
        Assistant:

    Empty turns are left out. The answer ends when the model starts a new turn: a line that
    begins ``User:``, ``Assistant:`` or ``System:``.
    """
    lines: list[str] = []
    for message in messages:
        if not message.content:
            continue
        if message.role == "system":
            lines.append(message.content + "\n")
        else:
            lines.append(f"{message.role.capitalize()}: {message.content}")
    lines.append("Assistant:")
    return ChatPrompt("\n".join(lines), PLAIN_STOP)
