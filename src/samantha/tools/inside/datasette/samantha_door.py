"""Datasette's plugin when Samantha starts it (``--plugins-dir`` names this folder): every request
goes through the tool's door (see ``samantha.tools.door``) before Datasette sees it."""

from datasette import hookimpl

from samantha.tools.door import AsgiDoor, Door


@hookimpl
def asgi_wrapper(datasette):  # type: ignore[no-untyped-def]
    door = Door.from_env()
    return lambda app: AsgiDoor(app, door)
