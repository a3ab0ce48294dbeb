"""Running model-written Python: in its own process and folder, under limits, figures saved.

``run_code(code, work_dir)`` writes the code to ``work_dir/main.py`` and runs it (through a small
boot script, ``.samantha_boot.py``) with the chosen interpreter, in a new session and process
group, with ``work_dir`` as its working folder and home. It returns a :class:`CodeResult`: what
was printed, the exit status, which limit stopped it, the files it wrote and the figures it drew.
``plt.show()`` saves each open figure as ``figure_N.png`` and returns at once; figures still open
at the end are saved too.

What is isolated
    * Time: wall-clock limit; then SIGTERM to the whole process group, SIGKILL 0.5 s later. A
      CPU-time limit (RLIMIT_CPU) is set past it as a backstop, and the child dies with the
      parent thread that started it (PR_SET_PDEATHSIG).
    * Memory: RLIMIT_AS per process. Processes: RLIMIT_NPROC, counting threads, on top of what
      the user already runs. Output: the first ``output_bytes`` of each stream are kept.
    * Environment: scrubbed; only PATH, LANG and what the code needs (HOME is the work folder,
      matplotlib's Agg backend, UTF-8 output, one thread per math library). No tokens, no
      ``SAMANTHA_*``. Standard input is empty. No core dumps. No new privileges (setuid
      programs such as sudo do not raise them).
    * User: as an ordinary user, the code runs as that user. As root, it runs as ``nobody``
      (the work folder is handed to it), so the process cap and file permissions apply: it can
      write only in its work folder and in folders open to everyone (such as /tmp). When the
      interpreter or the work folder lies below a folder only root may open (``/root/...``),
      ``nobody`` keeps the right to *read* every file (CAP_DAC_READ_SEARCH) but still not to
      write. Where even that is impossible, it runs as root and the process cap is watched from
      outside. ``CodeResult.isolation`` says which of these applied.

What is not isolated
    The network (the code can connect anywhere the machine can); files readable by the user it
    runs as; disk space; /tmp and other world-writable folders; processes that leave the process
    group (``setsid``) are not killed with it. Processes are not hidden from each other. This is
    a guard against accidents and runaway code, not a security boundary against hostile code:
    use a container or a virtual machine for that.
"""

from samantha.execution.environments import DEFAULT_PACKAGES, create_analysis_env
from samantha.execution.errors import AnalysisEnvError, CodeRunError
from samantha.execution.results import CodeLimits, CodeResult
from samantha.execution.runner import run_code

__all__ = ["AnalysisEnvError", "CodeLimits", "CodeResult", "CodeRunError", "DEFAULT_PACKAGES",
           "create_analysis_env", "run_code"]
