"""A run's configuration as a chain file (TOML): ``samantha run chain.toml`` repeats the run."""

from __future__ import annotations

import json
from typing import Any

TOP = ("prompts", "system", "previous", "models")


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):  # an inline table, keys quoted
        return "{ " + ", ".join(f"{json.dumps(str(k))} = {_value(v)}"
                                for k, v in value.items()) + " }"
    # A JSON string, non-ASCII kept, is a valid TOML basic string.
    return json.dumps(str(value), ensure_ascii=False)


def config_to_toml(config: dict[str, Any], title: str = "") -> str:
    """The chain file of a stored run's configuration (``None`` values are left out)."""
    lines = [f"# {title}" if title else "# Samantha chain file", ""]
    lines += [f"{key} = {_value(config[key])}" for key in TOP if config.get(key) is not None]
    options = {k: v for k, v in config.items()
               if k not in (*TOP, "settings", "backends", "judge") and v is not None}
    if options:
        lines += ["", "[options]", *(f"{k} = {_value(v)}" for k, v in options.items())]
    settings = {k: v for k, v in config.get("settings", {}).items() if v is not None}
    if settings:
        lines += ["", "[settings]", *(f"{k} = {_value(v)}" for k, v in settings.items())]
    backends = config.get("backends") or {}
    if backends:
        lines += ["", "[backends]", *(f"{json.dumps(k)} = {_value(v)}"
                                      for k, v in backends.items())]
    judge = config.get("judge") or {}
    if judge:  # an inline rubric table ({ criteria = { … }, scale = [ … ] }) stays inline
        lines += ["", "[judge]", *(f"{k} = {_value(v)}" for k, v in judge.items())]
    return "\n".join(lines) + "\n"
