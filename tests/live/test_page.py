"""The lab's page (recipes/live/static/) in headless Chromium, against a real lab process
(``python -m recipes lab``): a changed setting trains, and the numbers the page shows are
the run folder's; two settings train side by side on the same starting weights, drawn on one
force scale. Each test saves a screenshot and prints where."""

from __future__ import annotations

import base64
import json
import os
import urllib.request
from pathlib import Path

import numpy as np
import pytest
import yaml
from conftest import headless_chromium, read_csv
from lab_client import start_lab

PROJECT_ROOT = Path(__file__).resolve().parents[2]
RUN_TIMEOUT_S = 180


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A lab on the hinge recipe: (its URL with the token, its output root)."""
    root = tmp_path_factory.mktemp("lab") / "outputs"
    with start_lab(["hinge"], root, {"KERAS_BACKEND": "jax"}) as client:
        yield client.url, root


@pytest.fixture
def browser(tmp_path):
    driver = headless_chromium(tmp_path / "profile", "--window-size=1440,1000", console_log=True)
    yield driver
    errors = [
        entry["message"]
        for entry in driver.get_log("browser")
        if entry["level"] == "SEVERE" and "/api/check - " not in entry["message"]
    ]  # a check's 400 is the answer the test asked for; anything else is the page's fault
    driver.quit()
    assert errors == [], errors  # the page's script threw, or a request failed


def _screenshot(browser, name: str, tmp_path: Path) -> Path:
    """The whole page, below the window's edge too, as a PNG ($LAB_SCREENSHOTS, else the
    test's tmp_path); prints where."""
    width, height = browser.execute_script(
        "const page = document.documentElement; return [page.scrollWidth, page.scrollHeight];"
    )
    clip = {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}
    shot = browser.execute_cdp_cmd(
        "Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True, "clip": clip}
    )
    folder = Path(os.environ.get("LAB_SCREENSHOTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    path.write_bytes(base64.b64decode(shot["data"]))
    print(f"screenshot: {path}")
    return path


def _scrub_to(browser, epoch: int, scrubber: str = "#scrubber") -> None:
    """Move the scrubber (a CSS selector) to ``epoch``, as a drag does."""
    browser.execute_script(
        "const s = document.querySelector(arguments[0]); s.value = arguments[1];"
        "s.dispatchEvent(new Event('input'));",
        scrubber,
        epoch,
    )


SHARED = {"recipe", "data.name", "seed"}  # one control for both sides, above them


def _control(browser, key: str, side: str = "A"):
    from selenium.webdriver.common.by import By

    scope = "#shared-settings" if key in SHARED else f"[data-side='{side}']"
    return browser.find_element(By.CSS_SELECTOR, f"{scope} [data-key='{key}']")


def _message(browser, key: str, side: str = "A"):
    """The message beside a control."""
    return _control(browser, key, side).find_element("xpath", "../span[@class='message']")


def _choose(browser, key: str, value: str, side: str = "A") -> None:
    from selenium.webdriver.support.ui import Select

    Select(_control(browser, key, side)).select_by_value(value)


def _type(browser, key: str, text: str, side: str = "A") -> None:
    """Give a field its text at once, as a paste does: typed key by key on a busy machine, the
    page could start a run for each prefix (2, 20, ...) before the debounce saw the rest."""
    browser.execute_script(
        "arguments[0].value = arguments[1];"
        "arguments[0].dispatchEvent(new Event('input', {bubbles: true}));",
        _control(browser, key, side),
        text,
    )


def _view(browser, side: str = "A") -> dict[str, str]:
    """The shown run's numbers, as the page exposes them (the side's view's data-*)."""
    return browser.execute_script(
        "return Object.assign({}, document.querySelector(`[data-side='${arguments[0]}'] .view`)"
        ".dataset);",
        side,
    )


def _wait_finished(browser, commands: dict[str, str], epochs: int) -> list[dict[str, str]]:
    """The views of the sides once each shows a completed run of ``epochs`` epochs whose
    command line has its text in ``commands`` (side -> text: not a run started before)."""
    from selenium.webdriver.support.ui import WebDriverWait

    def finished(_):
        views = [_view(browser, side) for side in commands]
        if any(view["status"] == "failed" for view in views):
            pytest.fail(f"a run failed: {views}")
        done = all(
            view["status"] == "completed" and view["lastEpoch"] == str(epochs)
            and text in view["command"]
            for view, text in zip(views, commands.values(), strict=True)
        )  # fmt: skip
        return views if done else False

    return WebDriverWait(browser, RUN_TIMEOUT_S, poll_frequency=0.2).until(finished)


def _open(browser, url: str) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(url)
    WebDriverWait(browser, 30).until(
        lambda d: d.execute_script("return !!document.querySelector(\"[data-key='loss.name']\");")
    )


def _folders(root: Path) -> set[Path]:
    return {path.parent for path in root.glob("*/*/run.json")}


@pytest.mark.system  # headless Chromium and a lab process (make test-system)
def test_a_changed_loss_trains_and_the_page_shows_the_run_folders_numbers(lab, browser, tmp_path):
    url, output_root = lab
    _open(browser, url)
    before = _folders(output_root)

    from selenium.webdriver.support.ui import WebDriverWait

    # A shared setting is checked too: csv data need a path, which only csv recipes give.
    _choose(browser, "data.name", "csv")
    message = _message(browser, "data.name")
    WebDriverWait(browser, 30).until(lambda _: message.text)
    assert "data.path" in message.text

    # What a learner typed comes back in check's line as text, never as markup.
    _choose(browser, "loss.name", "dice")
    _type(browser, "loss.axis", "<b>bold</b>")
    _choose(browser, "data.name", "circles")  # last: every check until then fails
    message = _message(browser, "loss.axis")
    WebDriverWait(browser, 30).until(lambda _: message.text)
    assert "'<b>bold</b>'" in message.text
    assert message.find_elements("tag name", "b") == []

    # A bad value: check's one line beside its control, and no run.
    _type(browser, "train.epochs", "0")
    _choose(browser, "loss.name", "squared_hinge")
    message = _message(browser, "train.epochs")
    WebDriverWait(browser, 30).until(lambda _: message.text)
    assert "train.epochs" in message.text and "greater than 0" in message.text
    assert _folders(output_root) == before

    _type(browser, "train.epochs", "4")
    (view,) = _wait_finished(browser, {"A": "train.epochs=4"}, 4)
    assert message.text == ""
    folder = Path(view["folder"])
    assert folder.parent.parent == output_root and folder not in before
    history = read_csv(folder / "history.csv")
    assert view["epochs"] == view["epoch"] == "4" and len(history) == 4
    assert float(view["loss"]) == pytest.approx(float(history[-1]["loss"]), rel=1e-6)
    shown_loss = browser.find_element("css selector", "[data-side='A'] dd[data-key='loss']").text
    assert float(shown_loss) == pytest.approx(float(history[-1]["loss"]), rel=1e-3)
    record = json.loads((folder / "run.json").read_text())
    assert record["status"] == "completed"
    metrics = json.loads((folder / "metrics.json").read_text())
    assert float(view["testLoss"]) == pytest.approx(metrics["test_loss"], rel=1e-6)
    tested = browser.find_element("css selector", "[data-side='A'] dd[data-key='test']").text
    assert tested.startswith("loss ") and "accuracy" in tested
    command = browser.find_element("css selector", "[data-side='A'] .command").text
    assert "--set loss.name=squared_hinge" in command and "--set train.epochs=4" in command

    # The config the page offers is the run's, and trains unchanged: squared hinge, 4 epochs.
    link = browser.find_element("css selector", "[data-side='A'] .config-link")
    with urllib.request.urlopen(link.get_attribute("href"), timeout=30) as answer:
        config = yaml.safe_load(answer.read())
    assert config["loss"]["name"] == "squared_hinge" and config["train"]["epochs"] == 4

    # The scrubber replays epoch 1 from the events kept.
    _scrub_to(browser, 1)
    replayed = _view(browser)
    assert replayed["epoch"] == "1"
    assert float(replayed["loss"]) == pytest.approx(float(history[0]["loss"]), rel=1e-6)
    assert "showing epoch 1 of 4" in browser.find_element("css selector", ".status").text
    _scrub_to(browser, 4)
    _screenshot(browser, "lab-page-single", tmp_path)


@pytest.mark.system  # headless Chromium and a lab process (make test-system)
def test_two_settings_train_side_by_side_on_one_force_scale(lab, browser, tmp_path):
    url, output_root = lab
    _open(browser, url)
    _type(browser, "train.epochs", "3")
    _type(browser, "seed", "3")  # the sides share it
    browser.find_element("id", "compare").click()
    assert _control(browser, "train.epochs", "B").get_attribute("value") == "3"  # a copy of A
    _choose(browser, "loss.name", "squared_hinge", "B")
    views = _wait_finished(browser, {"A": "train.epochs=3", "B": "squared_hinge"}, 3)
    folders = [Path(view["folder"]) for view in views]
    assert folders[0] != folders[1] and all(f.parent.parent == output_root for f in folders)
    losses = []
    for view, folder in zip(views, folders, strict=True):
        history = read_csv(folder / "history.csv")
        assert len(history) == 3
        assert float(view["loss"]) == pytest.approx(float(history[-1]["loss"]), rel=1e-6)
        assert json.loads((folder / "run.json").read_text())["status"] == "completed"
        config = yaml.safe_load((folder / "config.yaml").read_text())
        assert config["seed"] == 3
        losses.append(config["loss"]["name"])
    assert losses == ["hinge", "squared_hinge"]
    assert views[0]["initialWeights"] and views[0]["initialWeights"] == views[1]["initialWeights"]
    # One force scale: the largest force either run put on a test point at any epoch.
    largest = max(
        float(np.max(np.load(folder / "recording.npz")["point_forces"])) for folder in folders
    )
    assert float(views[0]["forceTop"]) == float(views[1]["forceTop"])
    assert float(views[0]["forceTop"]) == pytest.approx(largest, rel=1e-3)
    _screenshot(browser, "lab-page-side-by-side", tmp_path)


@pytest.mark.system  # headless Chromium and a lab process (make test-system)
def test_stop_ends_the_training_run_interrupted_on_the_page_and_in_its_record(lab, browser):
    from selenium.webdriver.support.ui import WebDriverWait

    url, _ = lab
    _open(browser, url)
    _type(browser, "train.epochs", "20000")  # far longer than the test waits
    WebDriverWait(browser, RUN_TIMEOUT_S, poll_frequency=0.1).until(
        lambda _: _view(browser)["status"] == "training"
    )
    browser.find_element("id", "stop").click()
    WebDriverWait(browser, 60).until(lambda _: _view(browser)["status"] == "interrupted")
    view = _view(browser)
    assert 1 <= int(view["lastEpoch"]) < 20000
    record = json.loads((Path(view["folder"]) / "run.json").read_text())
    assert record["status"] == "interrupted"
    assert "interrupted" in browser.find_element("css selector", ".status").text


def test_the_pages_colours_are_the_figures():
    """drawing.js spells the figures' colours out (no build step to import them): the classes'
    are regions.py's first two, the forces' are forces.py's colour map at nine steps."""
    import re

    import matplotlib
    import matplotlib.colors

    from recipes.report.forces import FORCE_MAP, FORCE_RANGE
    from recipes.report.regions import REGION_COLOURS

    script = (PROJECT_ROOT / "recipes" / "live" / "static" / "drawing.js").read_text()

    def constant(name: str) -> list[str]:
        found = re.search(rf"const {name} = \[(.*?)\];", script, re.DOTALL)
        return re.findall(r'"(#[0-9a-f]{6})"', found.group(1))

    assert constant("CLASS_COLOURS") == list(REGION_COLOURS[:2])
    colour_map = matplotlib.colormaps[FORCE_MAP]
    steps = [matplotlib.colors.to_hex(colour_map(x)) for x in np.linspace(0, 1, 9)]
    assert constant("FORCE_COLOURS") == steps
    assert f"const FORCE_RANGE = {FORCE_RANGE:.0e}".replace("+0", "") in script
