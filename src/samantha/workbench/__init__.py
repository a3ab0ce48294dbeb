"""The application layer: what the front ends (``cli/``, ``ui/``) call, built on the adapters
(``engines/``, ``store/``, ``models/``, ``execution/``, ``docs/``, ``voice/``, ``tools/``) and
the pure ``core/``.

``facade.Workbench`` holds the models, the history and the sandbox; around it: a run and its
recorder (``recorder``), resuming (``resume``, ``liveness``), remote backends and their answers
(``backends``, ``remote_answers``), batch slots (``batching``), what a loaded model adds to the
settings (``settings_for_model``), downloads on a thread (``downloads``), the data home and the
user's preferences (``home``, ``preferences``), speech to text (``hearing``), branches and
hand-offs to the tools (``branches``, ``handoffs``).

Nothing here imports a front end. Importing the package does nothing.
"""
