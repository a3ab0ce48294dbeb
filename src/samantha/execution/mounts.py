"""What a bubblewrap sandbox sees: the system read-only, its Python read-only, its own folder.

Nothing else of the machine is mounted: not the home folders, not Samantha's data home (history,
models, preferences, other runs), not the checkout (only the interpreter's own folders, when it
lives in one). Files and folders in /etc that not every user may read (``/etc/shadow``,
``/etc/ssl/private``...) are covered with an empty file or folder. The root of the sandbox is a
read-only tmpfs; /tmp and /dev/shm are private tmpfs of their own, cut at the memory limit.
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from samantha.execution.errors import CodeRunError

SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc",
               "/nix/store")
NETWORK_DIRS = ("/run/systemd/resolve",)  # /etc/resolv.conf may point there (network runs)
MASKED_ROOT = "/etc"
PROBE = ("import json, sys; print(json.dumps([sys.executable, sys.prefix, sys.base_prefix, "
         "sys.exec_prefix, sys.base_exec_prefix]))")
PROBE_SECONDS = 30.0


@dataclass(frozen=True)
class Interpreter:
    """The Python to run inside the sandbox and the folders it needs, read-only."""

    executable: Path
    folders: tuple[Path, ...]


def find_interpreter(python: Path) -> Interpreter:
    """Ask ``python`` (isolated, without site) where it lives. A virtual environment keeps
    its own path; its base Python's folder comes along."""
    env = {"PATH": os.environ.get("PATH") or os.defpath, "LANG": "C.UTF-8"}
    try:
        done = subprocess.run([str(python), "-I", "-S", "-c", PROBE], capture_output=True,
                              text=True, timeout=PROBE_SECONDS, env=env,
                              stdin=subprocess.DEVNULL)
        executable, *prefixes = json.loads(done.stdout)
    except (OSError, subprocess.SubprocessError, ValueError, TypeError) as exc:
        raise CodeRunError(f"Could not ask {python} where its files are ({exc}). Give the "
                           "path of a working Python executable.") from None
    folders = {Path(p) for p in prefixes if p and os.path.isabs(p)}
    venv = python.parent.parent
    if (venv / "pyvenv.cfg").is_file():  # before Python 3.11, -S hides the environment
        folders.add(venv)
    folders.add(Path(os.path.realpath(executable)).parent.parent)
    outside = tuple(sorted(f for f in folders if not _inside_any(f, SYSTEM_DIRS)))
    return Interpreter(Path(executable), outside)


def check_folders(interpreter: Interpreter, work_dir: Path, home: Path) -> None:
    """Refuse to mount an interpreter folder that would show the work folder's surroundings
    or a whole home folder."""
    for folder in interpreter.folders:
        if folder == Path("/") or folder == home or _inside(work_dir, folder):
            raise CodeRunError(
                f"The Python {interpreter.executable} lives in {folder}, which holds "
                f"{'your home' if folder == home else 'far more than Python'}; mounting it in "
                "the sandbox would show all of it to the code. Use a Python in a folder of its "
                "own (`samantha code setup-env` makes one).")


def etc_masks(root: str = MASKED_ROOT) -> tuple[tuple[str, bool], ...]:
    """The entries under /etc that not every user may read: (path, is a folder)."""
    masks: list[tuple[str, bool]] = []
    for folder, dirs, files in os.walk(root):
        hidden = {name for name in dirs if not os.path.islink(os.path.join(folder, name))
                  and not _world(os.path.join(folder, name), 0o005)}
        masks += [(os.path.join(folder, name), True) for name in sorted(hidden)]
        dirs[:] = sorted(set(dirs) - hidden)  # nothing below a covered folder shows
        for name in sorted(files):
            path = os.path.join(folder, name)
            if not os.path.islink(path) and not _world(path, 0o004):
                masks.append((path, False))
    return tuple(masks)


def view_args(interpreter: Interpreter, work_dir: Path, masks: tuple[tuple[str, bool], ...],
              network: bool, tmp_bytes: int,
              resolv: tuple[int, str] | None = None) -> list[str]:
    """The bubblewrap options that build the sandbox's file system. ``resolv``: a descriptor
    holding the resolv.conf a network run must see instead of the host's, and where."""
    args = system_args(masks) + ["--perms", "1777", "--size", str(tmp_bytes), "--tmpfs", "/tmp"]
    if network:
        for folder in NETWORK_DIRS:
            args += ["--ro-bind-try", folder, folder]
        if resolv is not None:  # over the host's (a link is followed: bubblewrap would not)
            args += ["--perms", "0444", "--ro-bind-data", str(resolv[0]), resolv[1]]
    for needed in interpreter.folders:  # after /tmp, which would hide them
        args += ["--ro-bind", str(needed), str(needed)]
    args += ["--bind", str(work_dir), str(work_dir),
             "--dev", "/dev", "--perms", "1777", "--size", str(tmp_bytes), "--tmpfs", "/dev/shm",
             "--proc", "/proc"]
    for folder in made_folders([*interpreter.folders, work_dir]):
        args += ["--chmod", "0711", folder]  # bubblewrap makes them 0700: let nobody through
    return args + ["--remount-ro", "/", "--chdir", str(work_dir)]


def system_args(masks: tuple[tuple[str, bool], ...] = ()) -> list[str]:
    """The system folders, read-only (links such as /bin -> usr/bin made again)."""
    args: list[str] = []
    for folder in SYSTEM_DIRS:
        if os.path.islink(folder):
            args += ["--symlink", os.readlink(folder), folder]
        elif os.path.isdir(folder):
            args += ["--ro-bind", folder, folder]
    for path, is_dir in masks:
        if is_dir and os.path.isdir(path) and not os.path.islink(path):
            args += ["--tmpfs", path, "--remount-ro", path]
        elif not is_dir and os.path.isfile(path) and not os.path.islink(path):
            args += ["--ro-bind", "/dev/null", path]
    return args


def made_folders(mounted: list[Path]) -> list[str]:
    """The folders bubblewrap creates on the way to the mount points (not /, not /tmp, not
    inside anything mounted from the machine), parents first."""
    bound = [str(p) for p in mounted] + list(SYSTEM_DIRS)
    found: dict[str, None] = {}
    for target in mounted:
        for parent in reversed(target.parents):
            text = str(parent)
            if text in ("/", "/tmp") or _inside_any(parent, bound):
                continue
            found[text] = None
    return list(found)


def _world(path: str, bits: int) -> bool:
    try:
        return os.lstat(path).st_mode & bits == bits
    except OSError:
        return True  # gone: nothing to hide


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _inside_any(path: Path, folders: tuple[str, ...] | list[str]) -> bool:
    return any(_inside(path, Path(folder)) for folder in folders)
