"""A chain's whole configuration: everything a run needs, and what a chain file holds."""

from __future__ import annotations

import dataclasses
import difflib
from dataclasses import dataclass, field
from typing import Any, Mapping

from samantha.core.errors import InputError
from samantha.core.settings import DETERMINISTIC, SEED_MAX, Settings
from samantha.core.trace import MAX_TOP

LOOP_LIMIT = 1_000_000


class ChainConfigError(InputError):
    """A chain file or set of options that cannot run."""


@dataclass(frozen=True)
class ChainConfig:
    """``( [models] -> ( [prompt items] x responses ) ) x loops``, and how cycles feed each
    other."""

    prompts: str
    system: str = ""
    previous: str = ""
    models: tuple[str, ...] = ("default",)
    loops: int = 1
    responses: int = 1
    feedback: bool = False
    cumulative: bool = False
    feedback_output_only: bool = False
    single: bool = False
    shuffle: bool = False
    random_params: bool = False
    reset_model: bool = False
    auto_run_code: bool = False  # run the Python of every answer and feed its output back
    stop_condition: bool = False  # stop when that code exits with status 0 and prints something
    code_timeout: float = 60.0  # seconds each code run may take
    allow_network: bool = False  # let that code reach the network (it is cut off otherwise)
    learn: bool = False  # learning mode: record every token's candidates and stage counts
    learn_top: int = 10  # how many candidates per token
    loop_guard: bool = True  # end an answer that has started repeating itself
    seed: int | None = None
    settings: Settings = field(default_factory=lambda: DETERMINISTIC)

    def __post_init__(self) -> None:
        models = tuple(m.strip() for m in self.models
                       if m.strip() and not m.strip().startswith("---"))
        if not models:
            raise ChainConfigError("No model selected. Give at least one model (`default` is "
                                   "the packaged Gemma 3 270M).")
        object.__setattr__(self, "models", models)
        _check("loops", self.loops, 1, LOOP_LIMIT)
        _check("responses", self.responses, 1, LOOP_LIMIT)
        _check("learn_top", self.learn_top, 1, MAX_TOP)
        _check("code_timeout", self.code_timeout, 0.001, 86400, kind=(int, float))
        if self.seed is not None:
            _check("seed", self.seed, 0, SEED_MAX)

    def replace(self, **changes: Any) -> "ChainConfig":
        return dataclasses.replace(self, **changes)

    @property
    def feeds_back(self) -> bool:
        """Feeding back interpreter output implies the feedback loop."""
        return self.feedback or self.feedback_output_only

    def to_dict(self) -> dict[str, Any]:
        data = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        data["models"] = list(self.models)
        data["settings"] = {k: v for k, v in self.settings.to_dict().items()}
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], where: str = "chain file") -> "ChainConfig":
        known = {f.name for f in dataclasses.fields(cls)}
        for key in data:
            if key not in known:
                close = difflib.get_close_matches(key, sorted(known), n=1)
                hint = f" Did you mean {close[0]!r}?" if close else ""
                raise ChainConfigError(f"Unknown option {key!r} in the {where}.{hint} Known "
                                       f"options: {', '.join(sorted(known))}.")
        values = dict(data)
        if "prompts" not in values:
            raise ChainConfigError(f"The {where} has no `prompts`: write the prompt script there.")
        if isinstance(values.get("models"), str):
            values["models"] = values["models"].splitlines()
        if "models" in values:
            values["models"] = tuple(values["models"])
        settings = values.get("settings", {})
        if isinstance(settings, Mapping):
            values["settings"] = Settings.from_dict(
                {k: v for k, v in settings.items() if not (k == "seed" and v is None)})
        return cls(**values)


def _check(name: str, value: Any, low: float, high: float, kind: Any = int) -> None:
    if isinstance(value, bool) or not isinstance(value, kind) or not low <= value <= high:
        what = "a whole number" if kind is int else "a number"
        raise ChainConfigError(f"{name} must be {what} from {low:g} to {high:,}, got {value!r}.")
