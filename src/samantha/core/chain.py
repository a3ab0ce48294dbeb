"""A chain's whole configuration: everything a run needs, and what a chain file holds.

:data:`FIELDS` is the chain's schema: one rule per :class:`ChainConfig` field (TOML booleans for
the switches, text for the prompts, whole numbers in range, a table of settings checked by the
settings' own rules). Chain files, stored runs and the command line are all checked against it
before anything runs, and every refusal is one line naming the key and what it allows.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Mapping

from samantha.core.backend_specs import BackendsRule
from samantha.core.checks import Check, parse_checks
from samantha.core.errors import InputError
from samantha.core.lens import MODES as LENS_MODES
from samantha.core.promptscript import checked_text
from samantha.core.rubric import JudgeRule
from samantha.core.schema import (
    Choice,
    Number,
    Refused,
    Rule,
    Switch,
    Table,
    Text,
    TextList,
    Whole,
    check_table,
    shown,
)
from samantha.core.settings import DETERMINISTIC, SEED_MAX, Settings, setting_rules
from samantha.core.trace import MAX_TOP

LOOP_LIMIT = 1_000_000
#: Cycles in progress at once over remote backends: a rack of 64 servers of 4 slots takes 256.
#: Each is a thread and a connection (a few hundred KB); 1,024 of them stay within reach.
MAX_CONCURRENCY = 1024
MAX_PARALLEL = 32  # batch slots of the local model (--parallel)


class ChainConfigError(InputError):
    """A chain file or set of options that cannot run."""




@dataclass(frozen=True)
class ChainSwitch:
    """An on/off option of a chain, declared once here and read by the chain file, the CLI
    (``--name-with-dashes`` / ``--no-…``) and the web UI (the checkbox of its label table's
    row ``ui_key``). Its default is the :class:`ChainConfig` field's."""

    name: str  # the ChainConfig field, the chain file's option
    ui_key: str  # the web UI's name for it (its checkbox and its label and help)


#: The chain switches, in the order the CLI and the page list them (learning mode, with its
#: number of candidates, is an option of its own).
CHAIN_SWITCHES = (
    ChainSwitch("feedback", "feedback_loop"),
    ChainSwitch("cumulative", "cumulative"),
    ChainSwitch("feedback_output_only", "output_only"),
    ChainSwitch("single", "single_response"),
    ChainSwitch("shuffle", "shuffle"),
    ChainSwitch("random_params", "random_params"),
    ChainSwitch("reset_model", "reset_model"),
    ChainSwitch("auto_run_code", "auto_run_code"),
    ChainSwitch("stop_condition", "stop_condition"),
    ChainSwitch("loop_guard", "loop_guard"),
    ChainSwitch("allow_network", "allow_network"),
    ChainSwitch("retry_on_other", "retry_on_other"),
)
SWITCH = Switch()


def switch_defaults() -> dict[str, bool]:
    """Each chain switch's default, by name (the :class:`ChainConfig` field's)."""
    fields = {f.name: f.default for f in dataclasses.fields(ChainConfig)}
    return {switch.name: bool(fields[switch.name]) for switch in CHAIN_SWITCHES}
FIELDS: dict[str, Rule] = {
    "prompts": Text("the prompt script"),
    "system": Text("the SYSTEM prompt"),
    "previous": Text("the previous response"),
    "models": TextList("model names", '["default", "other.gguf"]', lines=True),
    "loops": Whole(1, LOOP_LIMIT),
    "responses": Whole(1, LOOP_LIMIT),
    **{switch.name: SWITCH for switch in CHAIN_SWITCHES},
    "learn": SWITCH,
    "code_timeout": Number(0.001, 86400),
    "learn_top": Whole(1, MAX_TOP),
    "learn_layers": Choice(("", *LENS_MODES)),
    "seed": Whole(0, SEED_MAX, optional=True),
    "concurrency": Whole(1, MAX_CONCURRENCY),
    "parallel": Whole(1, MAX_PARALLEL),
    "backends": BackendsRule(),
    "checks": TextList("checks", '["contains:Paris", "words:..200"]'),
    "judge": JudgeRule(),
    "settings": Table(setting_rules(), "setting", "[settings] with lines such as top_p = 0.9"),
}
#: The texts of a chain, checked for control characters, and their names in messages.
TEXTS = {"prompts": "Prompt script", "system": "SYSTEM prompt", "previous": "previous response"}
OPTIONS = Table({k: v for k, v in FIELDS.items() if k not in ("settings", "backends", "judge")},
                "option",
                "[options] with lines such as loops = 2")


def check_values(data: Mapping[str, Any], where: str | None = None) -> dict[str, Any]:
    """The chain values of ``data`` checked by :data:`FIELDS` and normalised (``settings``
    stays a dict of checked settings; the texts lose a leading BOM). Raises
    :class:`ChainConfigError` (one line, naming the key) or, for a control character in a text,
    :class:`PromptScriptError` with its line and column."""
    try:
        values = check_table(data, FIELDS, "option")
    except Refused as exc:
        raise ChainConfigError(exc.sentence(where)) from None
    for key, label in TEXTS.items():
        if isinstance(values.get(key), str):
            source = f"{where}, {key}" if where else label
            values[key] = checked_text(values[key], source)
    return values


def chain_file_values(data: Mapping[str, Any], where: str) -> dict[str, Any]:
    """A parsed chain file (TOML) as chain values: its ``[options]`` table merged in, every
    value checked (see :func:`check_values`); a key given twice is refused."""
    values = dict(data)
    options = values.pop("options", {})
    try:
        options = OPTIONS.check(options)
    except Refused as exc:
        raise ChainConfigError(exc.within("options").sentence(where)) from None
    for key in options:
        if key in values:
            raise ChainConfigError(f"{where}: {key} is given twice, at the top and in "
                                   "[options]. Keep one of them.")
    return check_values({**values, **options}, where)


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
    learn_layers: str = ""  # learning mode's layer view (core.lens): "", "cheap" or "full"
    loop_guard: bool = True  # end an answer that has started repeating itself
    concurrency: int = 1  # independent cycles in progress at once (remote backends)
    parallel: int = 1  # independent cycles of the local model decoded together (batch slots)
    retry_on_other: bool = False  # a cycle whose backend fails starts again on another
    backends: dict[str, Any] = field(default_factory=dict)  # a chain file's [backends]
    checks: tuple[str, ...] = ()  # what every answer is checked for (core.checks), as written
    judge: dict[str, Any] = field(default_factory=dict)  # a chain file's [judge] (judges after)
    seed: int | None = None
    settings: Settings = field(default_factory=lambda: DETERMINISTIC)

    def __post_init__(self) -> None:
        if not isinstance(self.settings, Settings):
            raise ChainConfigError(f"settings must be Settings, got {shown(self.settings)}.")
        values = check_values({f.name: getattr(self, f.name) for f in dataclasses.fields(self)
                               if f.name != "settings"})
        models = tuple(m.strip() for m in values["models"]
                       if m.strip() and not m.strip().startswith("---"))
        if not models:
            raise ChainConfigError("No model selected. Give at least one model (`default` is "
                                   "the packaged Gemma 3 270M).")
        values["models"] = models
        try:
            parse_checks(list(values["checks"] or ["json"]))
        except InputError as exc:
            raise ChainConfigError(f"checks: {exc}") from None
        values["checks"] = tuple(values["checks"])
        for name, value in values.items():
            object.__setattr__(self, name, value)

    def replace(self, **changes: Any) -> "ChainConfig":
        return dataclasses.replace(self, **changes)

    @property
    def parsed_checks(self) -> tuple[Check, ...]:
        """The chain's own checks, read (they were checked when the chain was made)."""
        return parse_checks(list(self.checks)) if self.checks else ()

    @property
    def feeds_back(self) -> bool:
        """Feeding back interpreter output implies the feedback loop."""
        return self.feedback or self.feedback_output_only

    def to_dict(self) -> dict[str, Any]:
        data = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        data["models"] = list(self.models)
        data["checks"] = list(self.checks)
        data["settings"] = {k: v for k, v in self.settings.to_dict().items()}
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any],
                  where: str = "Chain configuration") -> "ChainConfig":
        """A chain from plain values (a chain file's, a stored run's), checked against
        :data:`FIELDS` first: errors name ``where`` and the key."""
        if not isinstance(data, Mapping):
            raise ChainConfigError(f"{where}: must be a table of options, got {shown(data)}.")
        values = check_values(data, where)
        if "prompts" not in values:
            raise ChainConfigError(f"{where}: there is no `prompts`: write the prompt script "
                                   "there.")
        if "settings" in values:
            values["settings"] = Settings(**values["settings"])
        try:
            return cls(**values)
        except ChainConfigError as exc:
            raise ChainConfigError(f"{where}: {exc}") from None
