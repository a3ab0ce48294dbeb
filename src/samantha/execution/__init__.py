"""Running model-written Python: in its own process and folder, under limits, figures saved.

``run_code(code, work_dir)`` writes the code to ``work_dir/main.py`` and runs it (through a small
boot script, ``.samantha_boot.py``) with the chosen interpreter, in a new session and process
group, with ``work_dir`` as its working folder and home. It returns a :class:`CodeResult`: what
was printed, the exit status, which limit stopped it, the files it wrote and the figures it drew.
``plt.show()`` saves each open figure as ``figure_N.png`` and returns at once; figures still open
at the end are saved too.

Two backends (``CodeResult.isolation`` says which one ran, ``isolation_note`` what it meant)
    * ``bubblewrap`` (Linux, when ``bwrap`` is installed and works; :mod:`.bubblewrap`): the
      code runs in namespaces of its own. It sees the system folders and its interpreter
      read-only and nothing else of the machine: not the home folders, not Samantha's data
      (history, models, preferences, other runs), not the checkout; it can write only in its
      work folder and a private /tmp. No network (its own loopback only) unless the run allows
      it (``allow_network``): then the network through slirp4netns, from a network namespace of
      its own, never the host's loopback where the web UI and the tools listen (:mod:`.network`;
      without slirp4netns, no network). Its own PID namespace: when the run ends or is
      stopped, every process it started dies, ``setsid`` or not, and it cannot see or signal
      any other process. No capabilities; as root it runs as the real ``nobody``. Memory:
      one budget for the whole run where a cgroup can be made (as root), else the limit per
      process.
    * ``rlimits (not isolated)`` (everywhere else, or ``Sandbox("rlimits")``): the limits
      below only. A guard against accidents and runaway code, not a boundary against hostile
      code: it can read what its user can read, reach the network and this computer's own
      services, and leave processes behind that call ``setsid``.

Limits that hold in both
    * Time: wall-clock limit; then SIGTERM to the code, SIGKILL 0.5 s later. A CPU-time limit
      (RLIMIT_CPU) is set past it as a backstop, and the child dies with the parent thread
      that started it (PR_SET_PDEATHSIG).
    * Memory: RLIMIT_AS per process (and the run's cgroup, see above). Processes: RLIMIT_NPROC,
      counting threads. Output: the first ``output_bytes`` of each stream are kept.
    * Environment: scrubbed; only PATH, LANG and what the code needs (HOME is the work folder,
      matplotlib's Agg backend, UTF-8 output, one thread per math library). No tokens, no
      ``SAMANTHA_*``. Standard input is empty. No core dumps. No new privileges (setuid
      programs such as sudo do not raise them).
    * User, without bubblewrap: as an ordinary user, the code runs as that user. As root, it
      runs as ``nobody`` (the work folder is handed to it), so the process cap and file
      permissions apply; when the interpreter or the work folder lies below a folder only root
      may open, ``nobody`` keeps the right to *read* every file (CAP_DAC_READ_SEARCH); where
      even that is impossible, it runs as root and the process cap is watched from outside.
"""

from samantha.execution.environments import DEFAULT_PACKAGES, create_analysis_env
from samantha.execution.errors import AnalysisEnvError, CodeRunError, SandboxUnavailable
from samantha.execution.results import ISOLATED, NOT_ISOLATED, CodeLimits, CodeResult
from samantha.execution.runner import run_code
from samantha.execution.sandbox import PREFERENCES, Sandbox

__all__ = ["AnalysisEnvError", "CodeLimits", "CodeResult", "CodeRunError", "DEFAULT_PACKAGES",
           "ISOLATED", "NOT_ISOLATED", "PREFERENCES", "Sandbox", "SandboxUnavailable",
           "create_analysis_env", "run_code"]
