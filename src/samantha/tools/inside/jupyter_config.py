"""JupyterLab's configuration when Samantha starts it (``--config`` names this file): its door.

Run by JupyterLab's own Python (the analysis environment's, maybe, where Samantha is not
installed), so it loads ``door.py`` from its file. Jupyter Server 2's identity provider is
replaced by one that

- has no token of its own: JupyterLab writes its token into every page it serves and into its
  runtime files, so the one it has is empty and there is nothing to hand on;
- lets in a request carrying the door's secret (Samantha's readiness check) or a one-time
  ticket (``?token=…`` in the link a tab was given, used up by its first request), and from
  then on that browser by Jupyter's own signed login cookie;
- answers ``/login`` with a line saying where the way in is (no password form).

``allow_remote_access`` stays False, so Jupyter refuses a Host that is not loopback or
``localhost`` (DNS rebinding).

JupyterLab opens quietly: no "Build Recommended" dialog (it offers to rebuild the page whenever
an installed package, such as D-Tale's Dash, brings a JupyterLab extension of its own; the page
works as it is, and a rebuild needs Node.js), and no news or update check (they ask the
internet, and JupyterLab asks whether to fetch news in a notification).
"""

from __future__ import annotations  # JupyterLab's Python may be older than Samantha's

import importlib.util
import inspect
import sys
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    def get_config() -> Any: ...  # traitlets defines it when it runs this file


def load_door_module() -> ModuleType:
    name = "samantha_tool_door"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).parents[1] / "door.py")
        assert spec is not None and spec.loader is not None  # a .py path always has a loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # before it runs: its dataclasses look themselves up there
        spec.loader.exec_module(module)
    return sys.modules[name]


def configure(c: Any) -> None:  # c: the traitlets Config being loaded
    from jupyter_server.auth.identity import PasswordIdentityProvider, User
    from tornado import web
    from traitlets import default

    door_module = load_door_module()
    door = door_module.Door.from_env()

    class EnterFromSamantha(web.RequestHandler):
        def get(self) -> None:
            self.set_status(403)
            self.set_header("Content-Type", "text/plain; charset=utf-8")
            self.finish(door_module.NOT_ADMITTED)

        post = get

    class SamanthaDoor(PasswordIdentityProvider):
        @default("token")
        def _no_token(self) -> str:
            return ""

        @default("login_handler_class")
        def _no_login_form(self) -> type:
            return EnterFromSamantha

        @property
        def auth_enabled(self) -> bool:
            return True  # with no token and no password Jupyter would let anyone in

        async def get_user_token(self, handler: web.RequestHandler) -> User | None:
            given = self.get_token(handler)
            if not given or not (door.is_secret(given) or door.redeem(given)):
                return None
            user = self.get_user_cookie(handler)
            if inspect.isawaitable(user):
                user = await user
            return user or self.generate_anonymous_user(handler)

    c.ServerApp.identity_provider_class = SamanthaDoor
    c.ServerApp.allow_remote_access = False
    c.IdentityProvider.cookie_options = {"samesite": "Lax"}
    # the page's settings JupyterLab only fills in when they are not given: no build check
    c.ServerApp.tornado_settings = {"page_config_data": {"buildCheck": False,
                                                         "buildAvailable": False}}
    try:
        from jupyterlab.handlers.announcements import NeverCheckForUpdate
    except ImportError:  # a JupyterLab before 3.6: no news, no update check
        return
    c.LabApp.news_url = None
    c.LabApp.check_for_updates_class = NeverCheckForUpdate


configure(get_config())
