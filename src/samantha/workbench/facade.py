"""The Workbench: the one facade the CLI and the UI call.

It picks the concrete engine, finds model files, keeps one model in memory at a time (a model used
by consecutive generations is not reloaded) and runs generations through our sampler chain.
"""

from __future__ import annotations

import dataclasses
import random
import secrets
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import (
    TYPE_CHECKING,
    Any,
    Callable,
    ContextManager,
    Iterator,
    Mapping,
    Sequence,
)

from samantha.core.answer_events import (
    AnswerRestarted,
    DownloadProgress,
    GenerationResult,
    ModelLoading,
    TokenEvent,
)
from samantha.core.backend_specs import parse_ref
from samantha.core.chat import Message
from samantha.core.contextfit import ContextLimits, check_fit, fit_pairs
from samantha.core.control import ModelTurn, RunControl
from samantha.core.engine import Cancel, Engine, ModelSession, ModelSpec
from samantha.core.errors import InputError, SamanthaError, SettingsError
from samantha.core.generation import Ask, Memory, Pacer
from samantha.core.generation import generate as generate_tokens
from samantha.core.prompt_format import prompt_for, resolve
from samantha.core.sampler_chain import SamplerChain
from samantha.core.settings import Settings
from samantha.models.files import sha256_file
from samantha.models.gguf_file import read_header
from samantha.models.library import ModelLibrary, is_url
from samantha.workbench.backends import Remotes
from samantha.workbench.inside import LensHeads, inside_of
from samantha.workbench.preferences import Preferences
from samantha.workbench.settings_for_model import (
    BreakerCache,
    grammar_of,
    prompt_format_of,
    with_bias_ids,
)

if TYPE_CHECKING:  # the chains' modules load at the first chain, not for `generate`
    from samantha.core.chain import ChainConfig
    from samantha.core.plan import Plan
    from samantha.core.runner import PastCycle
    from samantha.core.whatif import Remembered, WhatIf
    from samantha.execution import CodeLimits, CodeResult, Sandbox
    from samantha.store import RunStore
    from samantha.tools import Toolbox
    from samantha.workbench.chain_run import ChainRun
    from samantha.workbench.hearing import Hearing


@dataclass(frozen=True)
class Loaded:
    spec: ModelSpec
    session: ModelSession


class Workbench:
    """Everything a front end needs, wired together. One instance per process."""

    def __init__(self, home: Path, engine: Engine | None = None) -> None:
        self.home = Path(home)
        self._engine = engine
        self._store: RunStore | None = None
        self._loaded: Loaded | None = None
        # Two locks, always taken in this order: _busy (one generation, reset or unload at a
        # time on the loaded model, whichever tab asks) then _lock (loading and unloading).
        self.model_turn = ModelTurn()  # _busy, and which generation has it while others wait
        self._busy = self.model_turn.lock
        self._lock = threading.Lock()
        self._store_lock = threading.Lock()
        self._sandbox: Sandbox | None = None  # made at the first code run, probed once
        self._limits: dict[tuple[str, int, int], ContextLimits | None] = {}  # per model file
        self.lens_heads = LensHeads()  # learning mode's layer view, per model file
        self.remotes = Remotes(self.home)  # backends: adapters made at their first use
        self.breakers = BreakerCache()  # DRY's sequence breakers per model
        self._hearing: Hearing | None = None  # speech to text, made at the first ask
        self._toolbox: Toolbox | None = None  # JupyterLab, Datasette, D-Tale: at the first start

    # -- models -----------------------------------------------------------------------------------
    @property
    def models_dir(self) -> Path:
        return self.home / "models"

    def model_folders(self) -> list[Path]:
        """The Samantha models folder, ~/Downloads, and the folders the user added."""
        added = [Path(f).expanduser() for f in self.preferences.model_folders]
        return [self.models_dir, Path.home() / "Downloads", *added]

    @property
    def library(self) -> ModelLibrary:
        return ModelLibrary(self.models_dir, self.model_folders(),
                            self.home / "cache" / "gguf-metadata.json")

    def add_model_folder(self, folder: Path | str) -> Path:
        folder = Path(folder).expanduser().resolve()
        if not folder.is_dir():
            raise InputError(f"{folder} is not a folder. Give a folder that holds .gguf files.")
        prefs = self.preferences
        if str(folder) not in prefs.model_folders:
            prefs.model_folders.append(str(folder))
            prefs.save(self.home)
        return folder

    def resolve_model(self, name: str) -> Path:
        return self.library.resolve(name)

    def model_file(self, name: str) -> tuple[Path | None, str | None]:
        """Path and sha256 of a model (hash computed once per file, cached); none if remote."""
        if parse_ref(name) is not None:
            return None, None
        if is_url(name):
            from samantha.models.download import (
                downloaded,  # with the HTTP client: on demand
            )

            found = downloaded(name, self.models_dir)
            return found if found else (None, None)
        try:
            path = self.resolve_model(name)
        except SamanthaError:
            return None, None
        sha = self.store.cached_sha256(path)
        if sha is None:
            sha = sha256_file(path)
            self.store.remember_sha256(path, sha)
        return path, sha

    def prompt_format_of(self, model: str, requested: str,
                         messages: Sequence[Message]) -> str:
        """The prompt format a cycle of ``model`` gets (core/prompt_format), without loading."""
        return prompt_format_of(self, model, requested, messages)

    def model_info(self, name: str) -> dict[str, Any]:
        """GGUF metadata of a model, read without loading its weights."""
        return read_header(self.resolve_model(name)).summary()

    def vocabulary(self, name: str, start: int, stop: int) -> list[tuple[int, bytes]]:
        """Pieces of the vocabulary ids ``start <= id < stop``, read without the weights."""
        path = self.resolve_model(name)
        read_header(path)
        vocab = self.engine.vocabulary(path)
        try:
            if not 0 <= start < vocab.n_vocab or stop <= start:
                raise SettingsError(
                    f"Vocabulary ids go from 0 to {vocab.n_vocab - 1}; give --from and --to with "
                    f"0 <= from < to (got {start} and {stop}).")
            return [(i, vocab.piece(i)) for i in range(start, min(stop, vocab.n_vocab))]
        finally:
            vocab.close()

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            from samantha.engines.llama_cpp import LlamaCppEngine

            self._engine = LlamaCppEngine()
        return self._engine

    def _spec(self, model: str, n_ctx: int) -> ModelSpec:
        return ModelSpec(name=model, path=self.resolve_model(model), n_ctx=n_ctx)

    def is_loaded(self, model: str, n_ctx: int = 4000, tapped: bool = False) -> bool:
        """Is this model in memory with this context size (and the tap, when ``tapped``), so
        that the next answer starts at once?"""
        loaded, spec = self._loaded, dataclasses.replace(self._spec(model, n_ctx), tapped=tapped)
        return loaded is not None and loaded.spec.serves(spec)

    def session(self, model: str = "default", n_ctx: int = 4000,
                tapped: bool = False) -> ModelSession:
        """The loaded model, loading (and first unloading the previous one) only when needed;
        ``tapped``: with the tap learning mode's layer view reads."""
        spec = dataclasses.replace(self._spec(model, n_ctx), tapped=tapped)
        path = spec.path
        with self._lock:
            if self._loaded and self._loaded.spec.serves(spec):
                return self._loaded.session
            self._close_loaded()
            read_header(path)  # one clear message for a bad file, before llama.cpp reads it
            loaded = self.engine.load(spec)
            self._loaded = Loaded(spec, loaded)
            return self._loaded.session

    def unload(self) -> None:
        """Free the model (waiting for a generation in progress, e.g. in another tab)."""
        with self._busy, self._lock:
            self._close_loaded()

    def _close_loaded(self) -> None:
        if self._loaded is not None:
            self._loaded.session.close()
            self._loaded = None

    def reset_model(self) -> None:
        """Clear the loaded model's state (its KV cache) so the next prompt starts clean."""
        with self._busy, self._lock:
            if self._loaded is not None:
                self._loaded.session.reset()

    # -- generation -------------------------------------------------------------------------------
    def generate(self, ask: Ask, cancel: Cancel | None = None, pacer: Pacer | None = None, *,
                 retry: bool = False, batch: tuple[Any, int] | None = None,
                 ) -> Iterator[DownloadProgress | ModelLoading | TokenEvent | AnswerRestarted
                               | GenerationResult]:
        """Answer ``ask``: yield a :class:`TokenEvent` per token, then a
        :class:`GenerationResult` (before them, :class:`DownloadProgress` while a URL model
        downloads and :class:`ModelLoading` while a model is loaded). With ``ask.trace_top`` > 0
        each token carries its learning-mode trace; ``pacer`` sets the pace; ``ask.memory``
        keeps the raw logits of the last tokens of a local answer (for :meth:`what_if`);
        ``ask.forced`` starts a local answer with these tokens (a branch, see
        :mod:`samantha.workbench.branches`); ``cancel`` is Stop.

        Input errors (unknown model, prompt too long for the context, a chat template that
        rejects the messages) raise before the first token.

        A model written ``MODEL@BACKEND`` answers from that remote backend, beside the local
        one (no lock: several remote answers can be in progress at once); with ``retry`` a
        failing backend hands the answer to another one serving the same model.
        """
        messages, settings, model = ask.messages, ask.settings, ask.model
        ref = parse_ref(model)
        if ref is not None:
            from samantha.workbench.remote_answers import remote_answer

            yield from remote_answer(self.remotes, ref, ask, cancel, pacer, retry)
            return
        if batch is not None:  # a batch slot of a chain run with --parallel (batching.py)
            slots, number = batch
            yield from slots.generate(number, ask, cancel, pacer)
            return
        with self.model_turn.taken_by(cancel):
            if is_url(model):
                yield from self._fetch(model, cancel)
            if not self.is_loaded(model, settings.n_ctx, tapped=bool(ask.layers)):
                yield ModelLoading(model)
            session = self.session(model, settings.n_ctx, tapped=bool(ask.layers))
            settings = settings.replace(prompt_format=resolve(  # the result says which
                settings.prompt_format, session.has_chat_template, messages))
            prompt = prompt_for(session, messages, settings.prompt_format, cancel)
            tokens = session.tokenize(prompt.text)
            settings = with_bias_ids(session, settings)
            breakers = self.breakers.get(session, settings)
            constraint = grammar_of(session, settings)
            inside = inside_of(session, self.lens_heads.of(self.resolve_model(model)),
                               ask.layers) if ask.layers else None
            try:
                yield from generate_tokens(session, tokens, settings, cancel, prompt.stop,
                                           ask.trace_top, pacer, ask.loop_guard, constraint,
                                           breakers, ask.memory, ask.forced, inside)
            finally:
                if constraint is not None:
                    constraint.close()
                if inside is not None:
                    inside.close()

    def batch_slots(self, parallel: int, model: str, n_ctx: int, numbers: Sequence[int],
                    stopped: Callable[[], bool]) -> ContextManager[Any]:
        """P batch slots for a chain run's cycles ``numbers`` of ``model`` (``--parallel``)."""
        from samantha.workbench.batching import run_slots

        return run_slots(self, parallel, model, n_ctx, numbers, stopped)

    def what_if(self, model: str, remembered: Remembered, settings: Settings,
                top: int) -> WhatIf:
        """What ``settings`` would keep from a remembered step of an answer of ``model`` (the
        loaded model: a bias given as text becomes its token ids, DRY's breakers too)."""
        from samantha.core.whatif import what_if

        session = self.session(model, settings.n_ctx)
        settings = with_bias_ids(session, settings)
        return what_if(remembered.logits, remembered.before, settings, top,
                       self.breakers.get(session, settings), session.n_vocab)

    # -- chains -----------------------------------------------------------------------------------
    @property
    def store(self) -> RunStore:
        """The run history. Opening it marks "interrupted" the runs whose process is gone."""
        with self._store_lock:
            if self._store is None:
                from samantha.store import RunStore
                from samantha.workbench.resume import mark_interrupted

                store = RunStore(self.home / "history.sqlite3")
                mark_interrupted(store)
                self._store = store
            return self._store

    def start_run(self, config: ChainConfig, control: RunControl | None = None,
                  memory: Memory | None = None) -> ChainRun:
        """Check the chain (a bad script raises here, before any model loads) and open its
        record in the run history, owned by this process. Iterate the result to run it.
        ``memory`` keeps learning mode's last logits, for what-if."""
        from samantha.core.runner import make_plan, run_seed
        from samantha.workbench.liveness import this_process

        config = config.replace(seed=run_seed(config))
        notes = self._check_models(config)
        self._check_prompt_sizes(config, make_plan(config, random.Random(config.seed)))
        run_id = self.store.start_run(config.to_dict(), this_process())
        if notes:
            self.store.set_run_notes(run_id, notes)
        return self._chain_run(run_id, config, control, notes=notes, memory=memory)

    def resume_run(self, run_id: int, control: RunControl | None = None,
                   memory: Memory | None = None) -> ChainRun:
        """Continue an interrupted run, in the same run, from its first unfinished cycle: the
        cycles that ran are replayed without generating them, the unfinished one is generated
        again (its stored row replaced), and the run ends with the cycles it would have had
        without the interruption. Iterate the result to run it."""
        from samantha.core.chain import ChainConfig
        from samantha.workbench.liveness import this_process
        from samantha.workbench.resume import (
            NotResumableError,
            past_cycles,
            resumable_run,
        )

        record = resumable_run(self.store, run_id)
        config = ChainConfig.from_dict(record.config, where=f"Stored run {run_id}")
        done, discard_from = past_cycles(record, self.store.code_runs(run_id),
                                         config.auto_run_code)
        notes = self._check_models(config)
        if not self.store.claim_run(run_id, this_process(), discard_from):
            raise NotResumableError(f"Run {run_id} was resumed by another process just now.")
        for cycle in record.cycles:  # the files of the code of the cycles generated again
            if discard_from is not None and cycle.number >= discard_from:
                shutil.rmtree(self.home / "runs" / str(run_id) / f"cycle-{cycle.number}",
                              ignore_errors=True)
        return self._chain_run(run_id, config, control, done, notes=notes, memory=memory)

    def rerun_config(self, run_id: int, settings_changes: Mapping[str, Any] | None = None,
                     models: Sequence[str] | None = None) -> ChainConfig:
        """A stored run's chain with some settings changed and, when ``models`` is given, that
        list of models instead. ``settings_changes`` maps Settings names to values (checked by
        Settings); ``seed`` seeds the run, as ``samantha run --seed`` does (None: a fresh one).
        Start the result with :meth:`start_run`."""
        from samantha.core.chain import ChainConfig

        record = self.store.get_run(run_id)
        config = ChainConfig.from_dict(record.config, where=f"Stored run {run_id}")
        changes = dict(settings_changes or {})
        if "seed" in changes:
            config = config.replace(seed=changes.pop("seed"))
        config = config.replace(settings=config.settings.replace(**changes))
        return config if models is None else config.replace(models=tuple(models))

    def _check_models(self, config: ChainConfig) -> list[str]:
        """Refuse an unknown model before anything runs; return what the run must be told
        first (the settings a backend serving one of its models cannot honour)."""
        from samantha.workbench.backends import specs_from_table

        self.remotes.add_extra(specs_from_table(config.backends, "Chain backends"))
        notes: list[str] = []
        for model in dict.fromkeys(config.models):  # a typo in a name fails before anything runs
            ref = parse_ref(model)
            if ref is not None:
                for backend, _ in self.remotes.places(ref):
                    said = self.remotes.adapter(backend).not_honoured(config.settings)
                    notes += [f"{backend}: {line}" for line in said]
            elif not is_url(model):
                self.resolve_model(model)
        return list(dict.fromkeys(notes))

    def _check_prompt_sizes(self, config: ChainConfig, plan: Plan) -> None:
        """Refuse at once a prompt item that cannot fit the context of a model that would
        answer it, judged by its size in bytes (see :mod:`samantha.core.contextfit`): no 5 MB
        tokenization before the cycle fails. Model headers are read only when an item is at
        least as long in bytes as the context in tokens."""
        n_ctx = config.settings.n_ctx
        sizes = [len(item.text.encode("utf-8")) for item in plan.script.items]
        if n_ctx and max(sizes) < n_ctx:
            return
        for model, number, _ in fit_pairs(plan):
            local = not is_url(model) and parse_ref(model) is None
            limits = self._context_limits(self.resolve_model(model)) if local else None
            if limits is not None:
                check_fit(model, number, sizes[number - 1], n_ctx, limits)

    def _context_limits(self, path: Path) -> ContextLimits | None:
        stat = path.stat()
        key = (str(path), stat.st_size, stat.st_mtime_ns)
        if key not in self._limits:
            header = read_header(path)
            longest = header.longest_token()
            self._limits[key] = (ContextLimits(longest, header.context_length) if longest
                                 else None)
        return self._limits[key]

    def _chain_run(self, run_id: int, config: ChainConfig, control: RunControl | None,
                   done: Mapping[int, PastCycle] | None = None, *, notes: Sequence[str],
                   memory: Memory | None) -> ChainRun:
        """The run ``run_id`` of ``config``, its code run in the run's own folder."""
        from samantha.core.runner import ChainRunner
        from samantha.workbench.chain_run import ChainRun, FolderExecutor
        from samantha.workbench.checking import AnswerChecker
        from samantha.workbench.recorder import RunRecorder

        folder = self.home / "runs" / str(run_id)
        executor = FolderExecutor(self.run_code, folder, config.code_timeout,
                                  config.allow_network)
        runner = ChainRunner(self, config, control, done, executor=executor, notes=notes,
                             memory=memory)
        checker = AnswerChecker(config.parsed_checks, self.run_code, folder,
                                config.code_timeout)
        return ChainRun(run_id, runner, RunRecorder(self.store, run_id, self.model_file),
                        checker)

    @property
    def hearing(self) -> "Hearing":
        """Speech to text: the Vosk models Samantha knows, each loaded once."""
        if self._hearing is None:
            from samantha.workbench.hearing import Hearing

            self._hearing = Hearing(self.home, lambda: self.preferences)
        return self._hearing

    @property
    def toolbox(self) -> "Toolbox":
        """The tools this Workbench started; :meth:`close` stops them and all they started."""
        with self._store_lock:
            if self._toolbox is None:
                from samantha.tools import Toolbox  # its processes' code: on demand

                self._toolbox = Toolbox(self.home / "tools")  # the tools' logs and ledger
            return self._toolbox

    # -- code -------------------------------------------------------------------------------------
    @property
    def preferences(self) -> Preferences:
        return Preferences.load(self.home)

    @property
    def sandbox(self) -> "Sandbox":
        """How code runs are confined here: bubblewrap where it works, else resource limits
        only (found out once per process, at the first run)."""
        from samantha.execution import Sandbox

        with self._store_lock:
            if self._sandbox is None:
                self._sandbox = Sandbox()
            return self._sandbox

    @sandbox.setter
    def sandbox(self, sandbox: "Sandbox") -> None:
        self._sandbox = sandbox

    def run_code(self, code: str, work_dir: Path | None = None, cancel: Cancel | None = None,
                 limits: "CodeLimits | None" = None, allow_network: bool = False,
                 sandbox: "Sandbox | None" = None) -> "CodeResult":
        """Run Python in the sandbox (a fresh folder under ``<home>/code`` unless given).
        ``allow_network`` lets this run reach the network (bubblewrap cuts it off otherwise);
        ``sandbox`` replaces this Workbench's choice of backend for this run."""
        from samantha.execution import CodeLimits, run_code

        if work_dir is None:
            stamp = time.strftime("%Y%m%d-%H%M%S")
            work_dir = self.home / "code" / f"{stamp}-{secrets.token_hex(3)}"
        return run_code(code, work_dir, interpreter=self.preferences.python,
                        limits=limits or CodeLimits(), cancel=cancel,
                        allow_network=allow_network, sandbox=sandbox or self.sandbox)

    def close(self) -> None:
        if self._toolbox is not None:
            self._toolbox.stop_all()
        self.unload()
        self.remotes.close()
        if self._store is not None:
            self._store.close()
            self._store = None

    def _fetch(self, url: str, cancel: Cancel | None) -> Iterator[DownloadProgress]:
        """Download a URL model in a worker thread, reporting progress a few times a second."""
        from samantha.workbench.downloads import fetch

        return fetch(self.library.download, url, cancel)

    @staticmethod
    def chain_order(settings: Settings) -> str:
        """The sampler chain as shown to users, e.g. ``logits -> penalties -> top-k -> ...``."""
        return SamplerChain(settings, seed=0).describe()

