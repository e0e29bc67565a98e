"""The lab's notebook widget's front end (recipes/live/static/widget.js with the page's drawing
scripts, as recipes/live/widget.py joins them) in headless Chromium, without Jupyter: a small
page loads the module as anywidget does (a blob URL) and gives it a model that plays back what a
real run's widget sent (tests/live/widget_fixtures.py): the start, each epoch's message, the end.
The numbers drawn are the run folders'; the scrubber replays epoch 1; a view drawn from the
stored state alone (a saved notebook) shows the last epoch and asks the kernel for the rest.
Each test saves a screenshot and prints where."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_page import _screenshot, _scrub_to, browser  # noqa: F401 (the headless Chromium fixture)
from widget_fixtures import SMALL, history, watch

from recipes.live.widget import STATIC, widget_module

# The page: the module from a blob URL, a model whose state and messages are the recording's.
HARNESS = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>the lab's widget</title>
<style>%(css)s body { margin: 0; width: 1100px; font-family: sans-serif; }</style></head>
<body><div id="cell"></div>
<script type="application/json" id="recorded">%(recorded)s</script>
<script type="application/json" id="module">%(module)s</script>
<script type="module">
const text = (id) => JSON.parse(document.getElementById(id).textContent);
const recorded = text("recorded");
const revive = (value) => {
  if (Array.isArray(value)) return value.map(revive);
  if (value && typeof value === "object") {
    if ("base64" in value) { // at an odd offset, as a slice of a socket message's bytes can be
      const bytes = Uint8Array.from(atob(value.base64), (c) => c.charCodeAt(0));
      const whole = new Uint8Array(bytes.length + 1);
      whole.set(bytes, 1);
      return new DataView(whole.buffer, 1, bytes.length);
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, revive(v)]));
  }
  return value;
};
const final = revive(recorded.state);
const listeners = {};
const state = {};
const model = {
  get: (name) => state[name],
  on: (name, handler) => { (listeners[name] ||= []).push(handler); },
  off: (name, handler) => {
    listeners[name] = (listeners[name] || []).filter((h) => h !== handler);
  },
  send: (message) => window.sent.push(message),
};
const change = (values) => {
  Object.assign(state, values);
  for (const name of Object.keys(values)) (listeners[`change:${name}`] || []).forEach((h) => h());
};
window.sent = [];
const url = URL.createObjectURL(new Blob([text("module")], { type: "text/javascript" }));
const widget = (await import(url)).default;
const sides = final.sides.map((side) => ({ name: side.name, status: "starting", epochs_done: 0 }));
window.harness = {
  // the widget as the kernel first shows it; or, stored, as a saved notebook holds it
  show(stored) {
    Object.assign(state, stored ? final : { ...final, sides, starts: sides.map(() => ({})),
      histories: sides.map(() => []), last_epochs: sides.map(() => ({})) });
    widget.initialize({ model });
    widget.render({ model, el: document.getElementById("cell") });
  },
  started() {
    change({ starts: final.starts, sides: final.sides.map((side) => ({ ...side,
      status: "training", epochs_done: 0 })) });
  },
  epoch(index) {
    const { content, buffers } = recorded.messages[index];
    (listeners["msg:custom"] || []).forEach((h) => h(content, revive(buffers)));
  },
  finished() { change(final); },
};
window.ready = true;
</script></body></html>
"""


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    """A real run of two settings side by side, as its widget sent it."""
    root = tmp_path_factory.mktemp("widget-page")
    watched = watch(root, SMALL, {**SMALL, "loss": "squared_hinge"})
    return watched.recorded(), [run.folder for run in watched.runs]


def _open_harness(driver, recorded, tmp_path: Path, stored: bool) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    css = (STATIC / "widget.css").read_text(encoding="utf-8")
    page = tmp_path / "widget.html"
    script_safe = lambda text: text.replace("</", "<\\/")  # noqa: E731 (inside <script>)
    page.write_text(
        HARNESS % {
            "css": css,
            "recorded": script_safe(json.dumps(recorded)),
            "module": script_safe(json.dumps(widget_module())),
        },
        encoding="utf-8",
    )  # fmt: skip
    driver.get(page.as_uri())
    WebDriverWait(driver, 30).until(lambda d: d.execute_script("return window.ready === true"))
    driver.execute_script("window.harness.show(arguments[0])", stored)


def _views(driver) -> list[dict[str, str]]:
    return driver.execute_script(
        "return [...document.querySelectorAll('.view')].map((v) => Object.assign({}, v.dataset));"
    )


def _wait(driver, condition, what: str):
    from selenium.webdriver.support.ui import WebDriverWait

    def met(_):
        views = _views(driver)
        return views if condition(views) else False

    return WebDriverWait(driver, 30, poll_frequency=0.1).until(met, message=what)


@pytest.mark.system  # headless Chromium (make test-system)
def test_the_widget_draws_each_epoch_as_it_comes_then_replays_any(
    recorded,
    browser,  # noqa: F811
    tmp_path,
):
    data, folders = recorded
    _open_harness(browser, data, tmp_path, stored=False)
    _wait(browser, lambda views: len(views) == 2, "two sides")
    browser.execute_script("window.harness.started(); window.harness.epoch(0);")
    views = _wait(browser, lambda v: v[0]["lastEpoch"] == "1", "the first epoch drawn")
    assert views[0]["status"] == "training" and views[1]["lastEpoch"] == "0"
    assert "training: epoch 1 of 3" in browser.find_element("css selector", ".status").text
    for index in range(1, len(data["messages"])):
        browser.execute_script("window.harness.epoch(arguments[0])", index)
    browser.execute_script("window.harness.finished()")
    views = _wait(browser, lambda v: all(view["status"] == "completed" for view in v), "the end")
    for view, folder in zip(views, folders, strict=True):
        rows = history(folder)
        assert view["folder"] == str(folder) and view["epoch"] == view["lastEpoch"] == "3"
        assert float(view["loss"]) == pytest.approx(float(rows[-1]["loss"]), rel=1e-6)
    assert views[0]["initialWeights"] == views[1]["initialWeights"] != ""
    assert views[0]["forceTop"] == views[1]["forceTop"]  # one force scale for both sides
    shown = browser.find_element("css selector", ".side dd[data-key='loss']").text
    assert float(shown) == pytest.approx(float(history(folders[0])[-1]["loss"]), rel=1e-3)
    _scrub_to(browser, 1, ".scrubber")
    views = _views(browser)
    assert [view["epoch"] for view in views] == ["1", "1"]
    assert float(views[1]["loss"]) == pytest.approx(float(history(folders[1])[0]["loss"]))
    assert "showing epoch 1 of 3" in browser.find_element("css selector", ".status").text
    _scrub_to(browser, 3, ".scrubber")
    _screenshot(browser, "lab-widget-side-by-side", tmp_path)


@pytest.mark.system  # headless Chromium (make test-system)
def test_a_saved_notebooks_widget_shows_the_last_epoch_and_asks_for_the_rest(
    recorded,
    browser,  # noqa: F811
    tmp_path,
):
    data, folders = recorded
    _open_harness(browser, data, tmp_path, stored=True)
    views = _wait(browser, lambda v: len(v) == 2 and v[0]["status"] == "completed", "drawn")
    for view, folder in zip(views, folders, strict=True):
        assert view["epoch"] == "3"
        assert float(view["loss"]) == pytest.approx(float(history(folder)[-1]["loss"]), rel=1e-6)
    assert float(views[0]["forceTop"]) > 0  # the last epoch's forces, from the stored buffers
    assert browser.execute_script("return window.sent") == [{"kind": "replay"}]
    _screenshot(browser, "lab-widget-stored", tmp_path)
