"""Datasette's plugin when Samantha starts it (``--plugins-dir`` names this folder): every request
goes through the tool's door (see ``samantha.tools.door``) before Datasette sees it."""

from typing import Any, Callable

from datasette import hookimpl

from samantha.tools.door import AsgiDoor, Door


@hookimpl
def asgi_wrapper(datasette: Any) -> Callable[[Any], AsgiDoor]:
    door = Door.from_env()
    return lambda app: AsgiDoor(app, door)
