"""JupyterLab opened from the Code panel, in Chromium, opens quietly: no "Build Recommended"
dialog (D-Tale's Dash brings a JupyterLab extension, so JupyterLab would offer a rebuild), no
news question, no update check."""

from __future__ import annotations

import pytest
from ui.pages import open_panel
from ui.test_tools_ui import click_link, started_url

pytestmark = pytest.mark.e2e


def test_jupyterlab_opens_without_a_build_dialog(page) -> None:
    open_panel(page, "code-panel")
    page.wait_for_selector("#code-jupyter", state="visible")
    asked: list[str] = []
    page.context.on("request", lambda request: asked.append(request.url))
    page.click("#code-jupyter")
    started_url(page, "#code-tool-message")
    lab = click_link(page, "#code-tool-message a")
    lab.wait_for_selector("#jupyterlab-splash", state="detached", timeout=120_000)  # restored
    lab.wait_for_selector(".jp-LabShell", state="visible")
    asked_lab = [url for url in asked if "/lab/api/" in url]
    assert not [url for url in asked_lab if "/lab/api/build" in url]  # the check behind it
    assert not [url for url in asked_lab if "/lab/api/news" in url or "/lab/api/update" in url]
    assert lab.locator(".jp-Dialog").count() == 0
    assert "Build Recommended" not in lab.inner_text("body")
