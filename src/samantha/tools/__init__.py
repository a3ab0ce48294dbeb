"""Tools Samantha hands work over to: JupyterLab on a run's notebook, Datasette on the run
history, D-Tale on a CSV file (each a program on 127.0.0.1, a child of Samantha, stopped with
it even when Samantha dies, behind a door that lets in only the tab it was started for: see
``door.py``), and PyInstaller, which packs a script into one executable.

The optional extra ``tools`` installs them: ``pip install 'samantha[tools]'``.
"""

from samantha.tools.errors import ToolError, ToolInputError, ToolMissingError
from samantha.tools.launchers import check_csv, datasette, dtale, jupyterlab
from samantha.tools.packer import package
from samantha.tools.toolbox import Link, RunningTool, Toolbox, ToolSpec

__all__ = ["Link", "RunningTool", "ToolError", "ToolInputError", "ToolMissingError", "ToolSpec",
           "Toolbox", "check_csv", "datasette", "dtale", "jupyterlab", "package"]
