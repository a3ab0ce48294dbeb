"""The exception tree drawn in core/errors.py's docstring is the real one: every SamanthaError
subclass of the package appears there once, under its base, with its module."""

from __future__ import annotations

import importlib
import pkgutil
import re

import samantha
from samantha.core import errors
from samantha.core.errors import SamanthaError


def drawn() -> dict[str, tuple[str | None, str, str | None]]:
    """class name -> (its base in the drawing, its module, its second base written "(also
    X)"), from the docstring's tree."""
    tree = errors.__doc__.split("::", 1)[1]
    found: dict[str, tuple[str | None, str, str | None]] = {}
    parents: list[tuple[int, str]] = []
    for line in tree.splitlines():
        match = re.match(r"^( *)(\w+)\s+([\w.]+)(?:\s+\(also an? (\w+)\))?\s*$", line)
        if not match:
            continue
        depth, name, module = len(match.group(1)), match.group(2), match.group(3)
        while parents and parents[-1][0] >= depth:
            parents.pop()
        assert name not in found, f"{name} is drawn twice"
        found[name] = (parents[-1][1] if parents else None, module, match.group(4))
        parents.append((depth, name))
    return found


def every_error() -> dict[str, type]:
    for module in pkgutil.walk_packages(samantha.__path__, "samantha."):
        if module.name.endswith("__main__") or ".inside" in module.name:
            continue  # the command itself; code that runs inside the tools' processes
        importlib.import_module(module.name)
    seen: dict[str, type] = {}
    todo = [SamanthaError]
    while todo:
        cls = todo.pop()
        seen[cls.__name__] = cls
        todo.extend(cls.__subclasses__())
    return {name: cls for name, cls in seen.items() if cls.__module__.startswith("samantha.")}


def test_every_error_is_drawn_under_its_base_with_its_module() -> None:
    tree, real = drawn(), every_error()
    assert set(tree) == set(real), (f"not drawn: {sorted(set(real) - set(tree))}; "
                                    f"drawn but gone: {sorted(set(tree) - set(real))}")
    for name, cls in real.items():
        bases = [b.__name__ for b in cls.__bases__ if issubclass(b, SamanthaError)] or [None]
        assert len(bases) <= 2, name
        assert tree[name] == (bases[0], cls.__module__.removeprefix("samantha."),
                              bases[1] if len(bases) > 1 else None), name


def test_a_failure_on_the_way_is_not_an_input_error() -> None:
    """A backend or a download that fails on the way exits 1; what the user fixes (a wrong
    link, a model the backend does not serve) exits 2 and is still caught as a failure of its
    backend or download."""
    from samantha.core.backend_specs import BackendError, BackendInputError
    from samantha.core.errors import InputError
    from samantha.models.download_http import DownloadError, LinkError

    assert not issubclass(BackendError, InputError)
    assert not issubclass(DownloadError, InputError)
    assert issubclass(BackendInputError, InputError) and issubclass(BackendInputError, BackendError)
    assert issubclass(LinkError, InputError) and issubclass(LinkError, DownloadError)
