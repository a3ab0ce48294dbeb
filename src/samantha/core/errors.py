"""The exception tree of Samantha.

Every error a user can cause derives from :class:`SamanthaError` and carries a message that says
what was wrong and what to do. Front ends print the message; they never show a traceback for these.
The CLI exits with 2 for an :class:`InputError` (what was asked cannot be done as asked) and with 1
for the others (something failed while doing it). The whole tree, each class under its base, with
the module that defines it (``tests/core/test_errors_tree.py`` keeps it true)::

    SamanthaError                   core.errors
        InputError                  core.errors
            SettingsError           core.errors
                GrammarBoundError   core.grammar_bounds
            ModelError              core.errors
                TemplateError       core.errors
                VoiceModelError     models.vosk_models
                LinkError           models.download_http  (also a DownloadError)
            PromptTooLongError      core.errors
                ItemTooLongError    core.errors
            PromptScriptError       core.promptscript
            ChainConfigError        core.chain
            PlanTooBig              core.plan
            VerdictError            core.verdict
            RubricError             core.rubric
            CheckError              core.checks
            BatchFileError          core.batchfile
            BackendInputError       core.backend_specs  (also a BackendError)
            GrammarError            engines.llama_grammar
            RunNotFoundError        store.errors
            CycleNotFoundError      store.errors
            ToolInputError          tools.errors
            ToolMissingError        tools.errors
            VoiceError              voice.text_to_speech
            ListenError             voice.speech_to_text
            PreferencesError        workbench.preferences
            NotResumableError       workbench.resume
        GenerationError             core.errors
            NothingAllowed          core.errors
        BackendError                core.backend_specs
            Stopped                 engines.http_slices
            WrongShape              engines.remote_http
        DownloadError               models.download_http
            DownloadCancelled       models.download_http
        CodeRunError                execution.errors
            AnalysisEnvError        execution.errors
            SandboxUnavailable      execution.errors
            NetworkUnavailable      execution.network
        HistoryError                store.errors
        DiskFullError               store.errors
        ToolError                   tools.errors
"""

from __future__ import annotations


class SamanthaError(Exception):
    """Base of every error Samantha raises on purpose."""


class InputError(SamanthaError):
    """The user asked for something that cannot be done as asked (exit code 2 in the CLI)."""


class SettingsError(InputError):
    """An unknown parameter or a value out of its range."""


class ModelError(InputError):
    """A model that cannot be found, read or loaded."""


class TemplateError(ModelError):
    """A model's chat template failed for one cycle's messages (it refused them, or went over
    its time or memory budget): that cycle fails, the next ones still try."""


class PromptTooLongError(InputError):
    """The prompt does not fit in the context window."""

    def __init__(self, prompt_tokens: int, n_ctx: int, requested: int | None = None) -> None:
        self.prompt_tokens = prompt_tokens
        self.n_ctx = n_ctx
        asked = "" if requested in (None, n_ctx) else f" (n_ctx {requested}, rounded by the engine)"
        super().__init__(
            f"The prompt has {prompt_tokens} tokens but the context window holds {n_ctx}"
            f"{asked}, leaving no room for an answer. Shorten the prompt, or raise n_ctx "
            f"(0 uses the model's trained context)."
        )


class GenerationError(SamanthaError):
    """The engine failed while generating."""


class NothingAllowed(GenerationError):
    """No candidate is left to choose from (a grammar allows no token, or all were banned)."""


class ItemTooLongError(PromptTooLongError):
    """A prompt item that cannot fit the context, seen before any model loads (its size in
    bytes already needs more tokens than the context holds)."""

    def __init__(self, item: int, n_bytes: int, at_least: int, model: str, longest: int,
                 n_ctx: int, trained: int | None) -> None:
        self.prompt_tokens, self.n_ctx, self.item = at_least, n_ctx or trained or 0, item
        context = (f"{n_ctx} tokens" if n_ctx else
                   f"{trained} tokens (n_ctx 0: the model's trained context)")
        raise_it = f" (it was trained on {trained}; 0 uses that)" if trained and n_ctx else ""
        InputError.__init__(
            self,
            f"Prompt item {item} has {n_bytes} bytes of text, so at least {at_least} tokens for "
            f"{model} (no token of its vocabulary is longer than {longest} bytes), and the "
            f"context window holds {context}. Shorten the item or split it into several (one "
            f"per line, or separated by $$$), or raise n_ctx{raise_it}."
        )
