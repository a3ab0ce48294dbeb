"""D-Tale with a door: ``python -m samantha.tools.inside.dtale_door`` takes D-Tale's own command
line (``dtale.cli.script``) and runs it with every request going through the tool's door (see
``samantha.tools.door``) before D-Tale's Flask application sees it.

D-Tale's own login (a user name and password typed into a form, a Flask session signed with a
key of ten random characters, no check of the Host) is left off.
"""

from __future__ import annotations

import sys
from typing import Any


def main(argv: list[str]) -> None:
    import dtale.app
    from dtale.cli.clickutils import run
    from dtale.cli.script import main as dtale_main

    from samantha.tools.door import Door, WsgiDoor

    door = Door.from_env()
    build_app = dtale.app.build_app  # show() looks it up in dtale.app when it starts serving

    def with_door(*args: Any, **kwargs: Any) -> Any:
        app = build_app(*args, **kwargs)
        app.wsgi_app = WsgiDoor(app.wsgi_app, door)
        return app

    dtale.app.build_app = with_door
    sys.argv = ["dtale", *argv]
    run(dtale_main)


if __name__ == "__main__":
    main(sys.argv[1:])
