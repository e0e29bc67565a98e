"""Replays in headless Chromium: a saved replay file (recipes/live/export.py) opens from disk
with the network off and shows its last epoch, its scrubber replays the others, and a hostile
class name stays text; a lab started on a sweep's folder shows its runs side by side, the
outputs index it serves opens a run's replay, and the page saves what it shows as one PNG.
Each test saves screenshots and prints where."""

from __future__ import annotations

import base64
import json
import shutil
import time

import pytest
import test_page
from lab_client import start_lab
from test_page import _screenshot, _scrub_to
from test_replay import HOSTILE, tiny_outputs, with_class_names

from recipes.live.export import export_replay

pytestmark = pytest.mark.system
browser = test_page.browser  # headless Chromium, as the page's tests drive it


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    root = tmp_path_factory.mktemp("replay-page-outputs")
    run, sweep = tiny_outputs(root)
    return root, run, sweep


def _views(browser):
    return browser.execute_script(
        "return [...document.querySelectorAll('.view')].map((view) => ({...view.dataset,"
        " title: view.closest('.side').querySelector('.side-title').textContent,"
        " key: view.querySelector('.key').textContent}))"
    )


def _wait_for(browser, condition, what: str, timeout_s: float = 60):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        views = _views(browser)
        if condition(views):
            return views
        time.sleep(0.2)
    pytest.fail(f"{what} within {timeout_s} s: {_views(browser)}")


def _offline(browser) -> None:
    browser.execute_cdp_cmd("Network.enable", {})
    browser.execute_cdp_cmd(
        "Network.emulateNetworkConditions",
        {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )


def test_a_saved_replay_opens_offline_at_its_last_epoch(outputs, browser, tmp_path):
    root, run, sweep = outputs
    folder = with_class_names(run, tmp_path, {-1: HOSTILE, 1: "inner <b>circle</b>"})
    page = export_replay([folder], tmp_path / "replay.html")
    _offline(browser)
    browser.get(page.as_uri())
    (view,) = _wait_for(browser, lambda views: views and views[0]["epoch"], "no epoch shown")
    assert view["status"] == "completed" and view["epoch"] == view["lastEpoch"] == "3"
    assert HOSTILE in view["key"] and "inner <b>circle</b>" in view["key"]  # as text
    assert browser.title.startswith("replay of") and "pwned" not in browser.title
    assert browser.find_element("id", "scrubber-epoch").text == "3 of 3"
    _scrub_to(browser, 1)
    assert _views(browser)[0]["epoch"] == "1"
    _screenshot(browser, "replay_file_epoch_1", tmp_path)
    _scrub_to(browser, 3)
    assert _views(browser)[0]["epoch"] == "3"
    _screenshot(browser, "replay_file", tmp_path)


def test_a_saved_sweep_replay_shows_its_runs_side_by_side(outputs, browser, tmp_path):
    root, _, sweep = outputs
    points = json.loads((sweep / "sweep.json").read_text(encoding="utf-8"))["runs"]
    page = export_replay([point["run_folder"] for point in points], tmp_path / "sweep.html")
    _offline(browser)
    browser.get(page.as_uri())
    views = _wait_for(browser, lambda views: len(views) == 2 and all(v["epoch"] for v in views),
                      "no two sides")  # fmt: skip
    assert [view["title"] for view in views] == [
        "side A: loss = hinge",
        "side B: loss = squared_hinge",
    ]
    assert [view["epoch"] for view in views] == ["3", "3"]
    _screenshot(browser, "replay_file_sweep", tmp_path)


def test_the_lab_opens_a_sweep_and_the_index_opens_a_run(outputs, browser, tmp_path):
    root, run, sweep = outputs
    with start_lab([str(sweep)], root, {"KERAS_BACKEND": "jax"}) as lab:
        browser.get(lab.url)
        views = _wait_for(
            browser, lambda views: len(views) == 2 and all(v["epoch"] == "3" for v in views),
            "the sweep's two runs not shown", 120,
        )  # fmt: skip
        assert [view["status"] for view in views] == ["completed", "completed"]
        assert views[1]["title"] == "side B: loss = squared_hinge"
        _screenshot(browser, "lab_sweep_replay", tmp_path)
        png = _saved_png(browser)
        path = tmp_path / "saved_view.png"
        path.write_bytes(png)
        print(f"saved PNG: {path}")
        assert png.startswith(b"\x89PNG") and len(png) > 10_000
        browser.get(f"http://{lab.host}:{lab.port}/outputs/?token={lab.token}")
        link = browser.find_element(
            "css selector", f".lab[data-open='hinge/{run.name}'] a"
        )  # the index's row of the single run
        assert link.text == "replay it in the lab"
        image = browser.find_element("css selector", "img")
        assert browser.execute_script("return arguments[0].naturalWidth", image) > 0  # token
        link.click()
        (view,) = _wait_for(browser, lambda views: len(views) == 1 and views[0]["epoch"] == "3",
                            "the run's replay not shown", 60)  # fmt: skip
        assert view["folder"] == str(run)
        _screenshot(browser, "lab_index_replay", tmp_path)
        _choose_among_three(browser, lab, root, run, sweep)
        _screenshot(browser, "lab_replay_choice", tmp_path)


def _choose_among_three(browser, lab, root, run, sweep) -> None:
    """A sweep of three runs (the sweep's two and the single run, in a copy of its
    sweep.json): two sides, each with a choice of the three; choosing trains nothing."""
    from selenium.webdriver.support.ui import Select

    three = root / "sweeps" / "three-runs"
    shutil.copytree(sweep, three)
    record = json.loads((three / "sweep.json").read_text(encoding="utf-8"))
    record["runs"].append({**record["runs"][0], "run": 2, "run_folder": str(run)})
    (three / "sweep.json").write_text(json.dumps(record), encoding="utf-8")
    browser.get(f"{lab.url}&open=sweeps/three-runs")

    def both_shown(views):
        return len(views) == 2 and all(view["epoch"] == "3" for view in views)

    _wait_for(browser, both_shown, "two of three runs not shown")
    choices = browser.find_elements("css selector", ".replay-choice")
    assert [len(Select(choice).options) for choice in choices] == [3, 3]
    Select(choices[1]).select_by_value(f"replay-{run.name}")
    views = _wait_for(browser, lambda views: views[1]["folder"] == str(run) and views[1]["epoch"],
                      "the run chosen not shown")  # fmt: skip
    assert [view["status"] for view in views] == ["completed", "completed"]  # nothing trains
    assert views[1]["title"] == "side B"  # a run outside the sweep varies nothing


def _saved_png(browser) -> bytes:
    """What the page's "save PNG" button downloads (the blob it makes, read back)."""
    browser.execute_script(
        "window.savedBlob = null; const make = URL.createObjectURL;"
        "URL.createObjectURL = (blob) => { window.savedBlob = blob; return make(blob); };"
    )
    browser.find_element("id", "save-png").click()
    data = browser.execute_async_script(
        "const done = arguments[0]; const wait = () => window.savedBlob"
        " ? (() => { const reader = new FileReader();"
        "   reader.onload = () => done(reader.result); reader.readAsDataURL(window.savedBlob); })()"
        " : setTimeout(wait, 100); wait();"
    )
    return base64.b64decode(data.split(",", 1)[1])
