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
    """``( [models] -> ( [prompt items] x responses ) ) x loops``, plus how cycles feed each other."""

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
    learn: bool = False  # learning mode: record every token's candidates and stage counts
    learn_top: int = 10  # how many candidates per token
    seed: int | None = None
    settings: Settings = field(default_factory=lambda: DETERMINISTIC)

    def __post_init__(self) -> None:
        models = tuple(m.strip() for m in self.models if m.strip() and not m.strip().startswith("---"))
        if not models:
            raise ChainConfigError("No model selected. Give at least one model (`default` is "
                                   "the packaged Gemma 3 270M).")
        object.__setattr__(self, "models", models)
        for name in ("loops", "responses"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= LOOP_LIMIT:
                raise ChainConfigError(f"{name} must be a whole number from 1 to {LOOP_LIMIT:,}, "
                                       f"got {value!r}.")
        if isinstance(self.code_timeout, bool) or not (
                isinstance(self.code_timeout, (int, float)) and 0 < self.code_timeout <= 86400):
            raise ChainConfigError(f"code_timeout must be a number of seconds from 0 to 86400, "
                                   f"got {self.code_timeout!r}.")
        if isinstance(self.learn_top, bool) or not (isinstance(self.learn_top, int)
                                                      and 1 <= self.learn_top <= MAX_TOP):
            raise ChainConfigError(f"learn_top must be a whole number from 1 to {MAX_TOP}, "
                                   f"got {self.learn_top!r}.")
        if self.seed is not None and not (isinstance(self.seed, int) and 0 <= self.seed <= SEED_MAX):
            raise ChainConfigError(f"seed must be a whole number from 0 to {SEED_MAX}, "
                                   f"got {self.seed!r}.")

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
