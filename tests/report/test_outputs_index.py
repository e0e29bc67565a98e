"""outputs/index.html lists every run, newest first, failed ones with their reason, and every
image on the page loads in a real browser (headless Chromium)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from recipes.report.outputs_index import build_index


def _fake_run(root: Path, recipe: str, run_id: str, status: str, **extra) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    folder = root / recipe / run_id
    folder.mkdir(parents=True)
    record = {
        "status": status,
        "recipe": recipe,
        "backend": "tensorflow",
        "seed": 0,
        "started_at": f"2026-11-22T10:{run_id[-2:]}:00",
        **extra,
    }
    (folder / "run.json").write_text(json.dumps(record))
    if status == "completed":
        (folder / "metrics.json").write_text(json.dumps({"test_accuracy": 0.996}))
        for name in ("loss", "decision_boundary"):
            figure, ax = plt.subplots(figsize=(2, 2), dpi=40)
            ax.plot([1, 2, 3])
            figure.savefig(folder / f"{name}.png")
            plt.close(figure)
    return folder


@pytest.fixture
def output_root(tmp_path) -> Path:
    _fake_run(tmp_path, "hinge", "run-01", "completed")
    _fake_run(tmp_path, "hinge", "run-02", "failed", reason="loss became nan during epoch 1")
    _fake_run(tmp_path, "squared_hinge", "run-03", "completed")
    build_index(tmp_path)
    return tmp_path


def test_index_lists_runs_newest_first_with_failures_and_reasons(output_root):
    page = (output_root / "index.html").read_text()
    positions = [page.index(f"run-0{n}/") for n in (3, 2, 1)]
    assert positions == sorted(positions)
    assert "loss became nan during epoch 1" in page
    assert page.count('class="status failed"') == 1 and page.count('class="status completed"') == 2
    assert 'src="hinge/run-01/loss.png"' in page  # relative links: opening the file works
    assert "0.996" in page


def test_empty_output_root_says_how_to_start(tmp_path):
    assert "make hinge" in build_index(tmp_path / "new").read_text()


def _chromium() -> tuple[str, str] | None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    return (browser, driver) if browser and driver else None


@pytest.mark.skipif(
    _chromium() is None,
    reason="needs Debian's chromium and chromium-driver (.ci/run installs them: "
    "apt-get install chromium chromium-driver)",
)
def test_every_image_loads_in_headless_chromium(output_root, tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.support.ui import WebDriverWait

    browser, driver_path = _chromium()
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={tmp_path / 'profile'}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    try:
        driver.get((output_root / "index.html").as_uri())
        WebDriverWait(driver, 30).until(
            lambda d: d.execute_script(
                "return document.readyState === 'complete' &&"
                " Array.from(document.images).every(i => i.complete);"
            )
        )
        images = driver.execute_script(
            "return Array.from(document.images).map(i => [i.getAttribute('src'),"
            " i.complete && i.naturalWidth > 0]);"
        )
        links = driver.execute_script(
            "return Array.from(document.links).map(a => a.getAttribute('href'));"
        )
    finally:
        driver.quit()
    assert len(images) == 4
    assert [src for src, loaded in images if not loaded] == []
    for link in links:
        assert (output_root / link.rstrip("/")).exists(), link
