"""recipes.lab in JupyterLab itself, in headless Chromium: a JupyterLab server on this
project's Python, a notebook that trains two settings side by side; the widget (anywidget's
JupyterLab extension loading recipes/live/static/widget.js) is drawn while the cell still runs,
then shows the run folders' last epoch. Screenshots of both moments are saved."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from test_page import _screenshot, browser  # noqa: F401 (the headless Chromium fixture)
from widget_fixtures import history

PORT = 8923
START_TIMEOUT_S = 120
EPOCHS = 200  # long enough to be seen training: a few seconds


def _share_folder() -> Path | None:
    """Where the Python that runs JupyterLab keeps its extensions (share/jupyter): anywidget's
    JupyterLab extension must be there."""
    jupyterlab = pytest.importorskip("jupyterlab")
    prefix = Path(jupyterlab.__file__).resolve().parents[4]  # <prefix>/lib/pythonX.Y/site-...
    share = prefix / "share" / "jupyter"
    return share if (share / "labextensions" / "anywidget").is_dir() else None


@pytest.fixture
def jupyterlab(tmp_path):
    """A JupyterLab server on a notebook that calls recipes.lab: (its notebook's URL, the
    output root)."""
    import nbformat

    share = _share_folder()
    if share is None:
        pytest.skip("anywidget's JupyterLab extension is not installed")
    kernels = tmp_path / "jupyter" / "kernels" / "python3"
    kernels.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    kernel = {"argv": argv, "display_name": "recipes", "language": "python"}
    (kernels / "kernel.json").write_text(json.dumps(kernel), encoding="utf-8")
    news = tmp_path / "settings" / "@jupyterlab" / "apputils-extension"
    news.mkdir(parents=True)  # no question about JupyterLab's news over the screenshots
    (news / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}')
    root = tmp_path / "notebooks"
    root.mkdir()
    settings = [{"train.epochs": EPOCHS}, {"train.epochs": EPOCHS, "loss": "squared_hinge"}]
    call = f"runs = recipes.lab('hinge', *{settings!r}, output_root={str(tmp_path / 'out')!r})"
    notebook = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell("import recipes"), nbformat.v4.new_code_cell(call)]
    )
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "recipes"}
    nbformat.write(notebook, root / "live.ipynb")
    log = open(tmp_path / "jupyterlab.log", "w")  # noqa: SIM115 (closed below)
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={PORT}",
         "--IdentityProvider.token=T", f"--ServerApp.root_dir={root}", "--allow-root",
         "--LabApp.expose_app_in_browser=True",
         f"--LabApp.workspaces_dir={tmp_path / 'workspaces'}",
         f"--LabApp.user_settings_dir={tmp_path / 'settings'}"],
        env={**os.environ, "JUPYTER_PATH": f"{tmp_path / 'jupyter'}{os.pathsep}{share}",
             "KERAS_BACKEND": "jax"},
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{PORT}/api/status?token=T", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail(f"JupyterLab did not answer: {(tmp_path / 'jupyterlab.log').read_text()}")
        yield f"http://127.0.0.1:{PORT}/lab/tree/live.ipynb?token=T", tmp_path / "out"
    finally:
        server.terminate()
        server.wait(30)
        log.close()


@pytest.mark.system  # JupyterLab, a kernel and headless Chromium (make test-system)
def test_the_widget_is_drawn_in_jupyterlab_while_the_cell_trains(
    jupyterlab,
    browser,  # noqa: F811
    tmp_path,
):
    from selenium.webdriver.support.ui import WebDriverWait

    url, output_root = jupyterlab
    browser.get(url)
    WebDriverWait(browser, 120).until(
        lambda d: d.execute_script(
            "const app = window.jupyterapp; const panel = app?.shell.currentWidget;"
            "return panel?.sessionContext?.session?.kernel?.connectionStatus === 'connected'"
            " && panel.sessionContext.session.kernel.status === 'idle';"
        )
    )
    browser.execute_script("window.jupyterapp.commands.execute('notebook:run-all-cells')")

    def views(driver):
        return driver.execute_script(
            "return [...document.querySelectorAll('.recipes-lab-widget .view')]"
            ".map((view) => Object.assign({}, view.dataset));"
        )

    def prompts(driver) -> str:
        return driver.execute_script(
            "return [...document.querySelectorAll('.jp-InputPrompt')]"
            ".map((p) => p.textContent).join(' ');"
        )

    def training(driver):  # an epoch drawn while the cell still runs ([*])
        shown = views(driver)
        live = len(shown) == 2 and shown[0]["status"] == "training"
        return live and int(shown[0]["lastEpoch"] or 0) >= 1 and "[*]" in prompts(driver)

    WebDriverWait(browser, 180, poll_frequency=0.05).until(training)
    assert "training: epoch" in browser.find_element("css selector", ".recipes-lab-widget").text
    _screenshot(browser, "lab-widget-jupyterlab-training", tmp_path)

    def finished(driver):
        shown = views(driver)
        done = len(shown) == 2 and all(view["status"] == "completed" for view in shown)
        return shown if done and "[*]" not in prompts(driver) else False

    shown = WebDriverWait(browser, 300, poll_frequency=0.2).until(finished)
    for view in shown:
        rows = history(view["folder"])
        assert Path(view["folder"]).parent.parent == output_root
        assert view["lastEpoch"] == view["epoch"] == str(len(rows)) == str(EPOCHS)
        assert float(view["loss"]) == pytest.approx(float(rows[-1]["loss"]), rel=1e-6, abs=1e-12)
    assert shown[0]["initialWeights"] == shown[1]["initialWeights"] != ""
    browser.execute_script("document.querySelector('.recipes-lab-widget').scrollIntoView()")
    _screenshot(browser, "lab-widget-jupyterlab-end", tmp_path)
    # Read (and so empty) the browser's log before the fixture checks it: JupyterLab asks for
    # the language server's status, which this server has not (404); nothing else may fail.
    errors = [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert [error for error in errors if "/lsp/status" not in error] == []
