"""The work folder of one run: the script, the boot script that runs it, and what the code left.

Layout (``work_dir``)::

    main.py              the code, as given
    .samantha_boot.py    runs main.py with runpy; saves matplotlib figures instead of showing them
    .samantha/           matplotlib config and caches, figures.txt (the figures saved, in order)
    figure_1.png ...     one PNG per figure shown or left open
    anything the code writes

``files`` lists what the code created or changed: not the boot script, not ``.samantha/``, not the
figures (they are in ``figures``), and ``main.py`` only when the code rewrote it (the scripts
belong to the caller, so code running as ``nobody`` cannot). Files the caller put in the folder
beforehand are listed only if the code changed them.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path
from typing import Mapping

from samantha.execution.child import INTERNAL_DIR

MAIN_SCRIPT = "main.py"
BOOT_SCRIPT = ".samantha_boot.py"
FIGURE_LIST = "figures.txt"
LISTING_MAX_CHARS = 1_000_000
SWITCH_FLAG = "--as"  # boot script arguments: --as UID GID FD (see bubblewrap.py)
FIGURE_NAME = re.compile(r"figure_[0-9]+\.png")

Snapshot = Mapping[str, tuple[int, int]]  # relative path -> (mtime_ns, size)

BOOT_SOURCE = f'''\
"""Written by Samantha: runs {MAIN_SCRIPT} like `python {MAIN_SCRIPT}`, but matplotlib figures are
saved as figure_N.png in this folder instead of being shown (plt.show() returns at once)."""
import os
import sys

if sys.argv[1:2] == [{SWITCH_FLAG!r}]:
    # Started as root of a user namespace of its own (Samantha runs as root, under bubblewrap):
    # become the unprivileged user, and close the namespace's descriptor, before anything else
    # is imported from the folder or run.
    _uid, _gid, _fd = (int(value) for value in sys.argv[2:5])
    try:
        os.close(_fd)
    except OSError:
        pass
    os.setgroups([])
    os.setresgid(_gid, _gid, _gid)
    os.setresuid(_uid, _uid, _uid)

import runpy
import signal
import traceback

MAIN = {MAIN_SCRIPT!r}
FIGURE_LIST = os.path.join({INTERNAL_DIR!r}, {FIGURE_LIST!r})


def save_figures(plt):
    """Save every open figure as the next free figure_N.png, then close them all."""
    for number in plt.get_fignums():
        n = 1
        while os.path.exists(f"figure_{{n}}.png"):
            n += 1
        name = f"figure_{{n}}.png"
        plt.figure(number).savefig(name)
        with open(FIGURE_LIST, "a", encoding="utf-8") as listing:
            listing.write(name + "\\n")
    plt.close("all")


def patch_pyplot(plt):
    def show(*args, **kwargs):
        """Samantha: save the open figures as PNG files and close them (nothing is shown)."""
        save_figures(plt)

    plt.show = show


class PyplotWatcher:
    """Patches matplotlib.pyplot right after the code first imports it (no import cost for
    code that never plots, and nothing breaks where matplotlib is not installed)."""

    def find_spec(self, name, path=None, target=None):
        if name != "matplotlib.pyplot":
            return None
        sys.meta_path.remove(self)
        import importlib.util

        spec = importlib.util.find_spec(name)
        if spec is not None and spec.loader is not None and hasattr(spec.loader, "exec_module"):
            load = spec.loader.exec_module

            def exec_module(module):
                load(module)
                patch_pyplot(module)

            spec.loader.exec_module = exec_module
        return spec


def flush_and_die(signum, frame):
    """On SIGTERM (time limit, cancel): keep what was printed, then die of the signal."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


def save_open_figures():
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is None:
        return
    try:
        save_figures(plt)
    except Exception as error:
        print(f"(Samantha could not save the open figures: {{error}})", file=sys.stderr)


def report(error):
    """Print the traceback from the first frame of the code on, like `python main.py`."""
    tb = error.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename != MAIN:
        tb = tb.tb_next
    traceback.print_exception(type(error), error, tb)


def main():
    signal.signal(signal.SIGTERM, flush_and_die)
    sys.meta_path.insert(0, PyplotWatcher())
    sys.argv = [MAIN]
    try:
        try:
            runpy.run_path(MAIN, run_name="__main__")
        finally:
            save_open_figures()
    except SystemExit:
        raise
    except BaseException as error:
        report(error)
        sys.exit(1)


main()
'''


def prepare(work_dir: Path, code: str) -> Snapshot:
    """Create the folder, write the two scripts, and return the snapshot to compare with after
    the run. Links left in a reused folder are replaced, never followed."""
    work_dir.mkdir(parents=True, exist_ok=True)
    internal = work_dir / INTERNAL_DIR
    if internal.is_symlink() or (internal.exists() and not internal.is_dir()):
        internal.unlink()
    internal.mkdir(exist_ok=True)
    (internal / FIGURE_LIST).unlink(missing_ok=True)  # figures of an earlier run in this folder
    for name, text in ((MAIN_SCRIPT, code), (BOOT_SCRIPT, BOOT_SOURCE)):
        (work_dir / name).unlink(missing_ok=True)
        (work_dir / name).write_text(text, encoding="utf-8")
    return snapshot(work_dir)


def hand_over(work_dir: Path, owner: tuple[int, int]) -> None:
    """Give the folder and Samantha's internal folder to ``owner`` (uid, gid), so the code can
    write there; the scripts stay read-only to it."""
    for path in (work_dir, work_dir / INTERNAL_DIR):
        os.chown(path, *owner, follow_symlinks=False)


def snapshot(work_dir: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``work_dir`` (symlinks not followed) with its mtime and size."""
    found = {}
    for root, dirs, names in os.walk(work_dir):
        for name in names + [d for d in dirs if os.path.islink(os.path.join(root, d))]:
            path = os.path.join(root, name)
            try:
                st = os.lstat(path)
            except OSError:
                continue
            found[os.path.relpath(path, work_dir)] = (st.st_mtime_ns, st.st_size)
    return found


def figures(work_dir: Path) -> tuple[Path, ...]:
    """The PNG files the boot script saved, in order. The list is written by the code's process,
    so only plain files named figure_N.png directly in the folder count (no links)."""
    listing = work_dir / INTERNAL_DIR / FIGURE_LIST
    try:
        with open(listing, encoding="utf-8", errors="replace") as handle:
            names = handle.read(LISTING_MAX_CHARS).splitlines()
    except OSError:
        return ()
    return tuple(work_dir / name for name in dict.fromkeys(names)
                 if FIGURE_NAME.fullmatch(name) and _plain_file(work_dir / name))


def _plain_file(path: Path) -> bool:
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def changed_files(work_dir: Path, before: Snapshot,
                  saved_figures: tuple[Path, ...]) -> tuple[Path, ...]:
    """Files the code created or changed, sorted, without Samantha's own files and figures."""
    skip = {path.name for path in saved_figures} | {BOOT_SCRIPT}
    after = snapshot(work_dir)
    changed = []
    for relative, state in after.items():
        if relative in skip or relative.split(os.sep, 1)[0] == INTERNAL_DIR:
            continue
        if before.get(relative) != state:
            changed.append(work_dir / relative)
    return tuple(sorted(changed))
