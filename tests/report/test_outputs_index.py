"""outputs/index.html: one row per run, sweeps as collapsible groups with their figures on top,
failed runs with their reason; and in a real browser (headless Chromium) the columns sort, the
recipe and loss filters hide rows and groups, and every image (animations too) loads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import headless_chromium

from recipes.report.index_records import collect_entries
from recipes.report.outputs_index import build_index


def _image(path: Path, frames: int = 1) -> None:
    from PIL import Image

    pictures = [Image.new("RGB", (24, 16), (40 * i, 90, 160)) for i in range(frames)]
    pictures[0].save(path, save_all=frames > 1, append_images=pictures[1:], duration=200)


def _fake_run(root: Path, recipe: str, run_id: str, status: str, loss: str, **extra) -> Path:
    metrics = extra.pop("metrics", {})
    folder = root / recipe / run_id
    folder.mkdir(parents=True)
    record = {
        "status": status,
        "recipe": recipe,
        "backend": "tensorflow",
        "seed": extra.pop("seed", 0),
        "started_at": f"2026-11-22T10:{run_id[-2:]}:00",
        **({"metrics": metrics} if status == "completed" else {}),
        **extra,
    }
    (folder / "run.json").write_text(json.dumps(record))
    (folder / "config.yaml").write_text(f"loss:\n  name: {loss}\n")
    if status == "completed":
        (folder / "metrics.json").write_text(json.dumps(metrics))
        for name in ("loss.png", "decision_boundary.png"):
            _image(folder / name)
        _image(folder / "training.gif", frames=3)
    return folder


@pytest.fixture
def output_root(tmp_path) -> Path:
    _fake_run(tmp_path, "hinge", "run-01", "completed", "hinge", metrics={"test_accuracy": 0.996})
    _fake_run(tmp_path, "hinge", "run-02", "failed", "hinge", reason="loss became nan in epoch 1")
    _fake_run(
        tmp_path, "focal_rings", "run-03", "completed", "focal",
        metrics={"test_accuracy": 0.95, "test_auc": 0.98},
    )  # fmt: skip
    sweep_runs = [
        _fake_run(
            tmp_path,
            "compare_hinge",
            f"run-0{4 + i}",
            "completed",
            loss,
            seed=i,
            metrics={"test_accuracy": accuracy},
        )  # fmt: skip
        for i, (loss, accuracy) in enumerate([("hinge", 0.5), ("squared_hinge", 1.0)])
    ]
    sweep = tmp_path / "sweeps" / "compare_hinge-01"
    sweep.mkdir(parents=True)
    _image(sweep / "tightness_per_seed.png")
    (sweep / "report.md").write_text("# report\n")
    runs = [
        {"run": i, "values": {"loss": loss}, "labels": {"loss": loss}, "status": "completed",
         "run_folder": str(folder)}
        for i, (folder, loss) in enumerate(zip(sweep_runs, ("hinge", "squared_hinge"), strict=True))
    ]  # fmt: skip
    record = {"status": "completed", "recipe": "compare_hinge", "grid": [], "runs": runs}
    (sweep / "sweep.json").write_text(json.dumps({**record, "started_at": "2026-11-22T10:07"}))
    build_index(tmp_path)
    return tmp_path


def test_one_row_per_run_and_the_sweeps_runs_in_its_group(output_root):
    page = (output_root / "index.html").read_text()
    assert page.count('<tr class="run"') == 5
    single, sweep = page.split('<details class="group sweep">')
    assert "compare_hinge/run-04/" not in single and "compare_hinge/run-04/" in sweep
    assert sweep.index("tightness_per_seed.png") < sweep.index("<table")  # figures on top
    positions = [single.index(f"run-0{n}/") for n in (3, 2, 1)]  # newest first
    assert positions == sorted(positions)
    assert "loss became nan in epoch 1" in page
    assert page.count('class="status failed"') == 1
    assert 'src="hinge/run-01/training.gif"' in page  # relative links: opening the file works
    assert 'data-loss="focal"' in page and "0.996" in page


def test_a_runs_thumbnails_lead_with_its_decision_boundary(tmp_path):
    """boundary_epochs.png (nine panels) sorts first by name but is unreadable 60 px high."""
    folder = _fake_run(tmp_path, "hinge", "run-01", "completed", "hinge")
    for name in ("boundary_epochs.png", "forces.png"):
        _image(folder / name)
    build_index(tmp_path)
    page = (tmp_path / "index.html").read_text()
    shown = [page.index(f'src="hinge/run-01/{name}"') for name in (
        "decision_boundary.png", "loss.png", "boundary_epochs.png", "forces.png", "training.gif"
    )]  # fmt: skip
    assert shown == sorted(shown)


def test_empty_output_root_says_how_to_start(tmp_path):
    """Only the default outputs/ (``create``) gets a page before it holds a run."""
    assert "make hinge" in build_index(tmp_path / "new", create=True).read_text()


@pytest.fixture
def browser(tmp_path):
    driver = headless_chromium(tmp_path / "profile")
    yield driver
    driver.quit()


ROWS_SHOWN = (
    "return Array.from(document.querySelectorAll('tr.run'))"
    ".filter(r => !r.hidden && !r.closest('.group').hidden)"
    ".map(r => r.querySelector('td.folder a').textContent);"
)


@pytest.mark.system  # headless Chromium (make test-system)
def test_index_sorts_filters_and_loads_every_image_in_chromium(browser, output_root):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    browser.get((output_root / "index.html").as_uri())
    # open every group and load every image now (thumbnails are lazy)
    browser.execute_script(
        "document.querySelectorAll('details').forEach(d => d.open = true);"
        "document.querySelectorAll('img').forEach(i => i.loading = 'eager');"
    )
    WebDriverWait(browser, 30).until(
        lambda d: d.execute_script(
            "return document.readyState === 'complete' &&"
            " Array.from(document.images).every(i => i.complete);"
        )
    )
    images = browser.execute_script(
        "return Array.from(document.images).map(i => [i.getAttribute('src'),"
        " i.complete && i.naturalWidth > 0]);"
    )
    assert len(images) == 4 * 3 + 1  # 4 completed runs x 3, the sweep's figure
    assert sum(src.endswith("training.gif") for src, _ in images) == 4
    assert [src for src, loaded in images if not loaded] == []
    for link in browser.execute_script(
        "return Array.from(document.links).map(a => a.getAttribute('href'));"
    ):
        assert (output_root / link.rstrip("/")).exists(), link

    single = browser.find_element(By.CSS_SELECTOR, "details.single table")
    header = single.find_element(By.XPATH, ".//th[text()='test_accuracy']")
    header.click()  # ascending; the failed run has no accuracy: last either way
    order = (
        "return Array.from(arguments[0].tBodies[0].rows)"
        ".map(r => r.querySelector('td.folder a').text);"
    )
    assert browser.execute_script(order, single) == ["run-03", "run-01", "run-02"]
    header.click()
    assert browser.execute_script(order, single) == ["run-01", "run-03", "run-02"]
    single.find_element(By.XPATH, ".//th[text()='recipe']").click()
    assert browser.execute_script(order, single)[0] == "run-03"  # focal_rings < hinge

    Select(browser.find_element(By.ID, "filter-loss")).select_by_value("squared_hinge")
    assert browser.execute_script(ROWS_SHOWN) == ["run-05"]
    assert browser.find_element(By.CSS_SELECTOR, "details.single").is_displayed() is False
    Select(browser.find_element(By.ID, "filter-loss")).select_by_value("")
    Select(browser.find_element(By.ID, "filter-recipe")).select_by_value("hinge")
    assert sorted(browser.execute_script(ROWS_SHOWN)) == ["run-01", "run-02"]
    assert browser.find_element(By.CSS_SELECTOR, "details.sweep").is_displayed() is False
    assert browser.find_element(By.ID, "shown-count").text == "2"


@pytest.mark.system  # headless Chromium (make test-system)
def test_index_served_over_http_loads_every_image(browser, output_root):
    """As ``make serve`` serves it (http.server over the output root)."""
    import functools
    import http.server
    import threading

    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(output_root))
    handler.log_message = lambda *arguments: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        browser.get(f"http://127.0.0.1:{server.server_address[1]}/index.html")
        browser.execute_script(
            "document.querySelectorAll('details').forEach(d => d.open = true);"
            "document.querySelectorAll('img').forEach(i => i.loading = 'eager');"
        )
        from selenium.webdriver.support.ui import WebDriverWait

        WebDriverWait(browser, 30).until(
            lambda d: d.execute_script(
                "return document.readyState === 'complete' &&"
                " Array.from(document.images).every(i => i.complete);"
            )
        )
        loaded = browser.execute_script(
            "return Array.from(document.images).map(i => i.naturalWidth > 0);"
        )
        assert len(loaded) == 13 and all(loaded)
        assert browser.find_element("id", "shown-count").text == "5"  # the script ran
    finally:
        server.shutdown()
        server.server_close()


# ------------------------------------------------------- damaged records, ownership and lock

DAMAGED_RUN_RECORDS = {
    "null": ("null", "not a record (null)"),
    "list": ("[1, 2]", "not a record (a list)"),
    "number": ("7", "not a record (a number)"),
    "not json": ("{", "not valid JSON"),
    "wrong types": (
        json.dumps({"status": 5, "started_at": 3, "host": "x", "metrics": [1]}),
        "damaged run record (status: Input should be 'not started', 'running', 'completed', "
        "'failed', 'interrupted', 'stopped (process gone)' or 'unknown')",
    ),
    "another version": (
        json.dumps({"schema_version": 2, "status": "completed"}),
        "a record of schema_version 2 (this keras-loss-recipes reads 1)",
    ),
}


@pytest.fixture
def damaged_root(output_root, request) -> tuple[Path, str]:
    """The output root above, plus one run folder whose run.json is ``request.param``."""
    text, reason = DAMAGED_RUN_RECORDS[request.param]
    folder = output_root / "hinge" / "run-99"
    folder.mkdir()
    (folder / "run.json").write_text(text)
    return output_root, reason


def _warnings(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.strip()]


@pytest.mark.parametrize("damaged_root", DAMAGED_RUN_RECORDS, indirect=True)
def test_index_skips_a_damaged_run_record_with_one_warning(cli, damaged_root):
    root, reason = damaged_root
    result = cli("index", "--output-root", str(root))
    assert result.returncode == 0, result.stderr
    assert _warnings(result.stderr) == [
        f"warning: skipped {root / 'hinge' / 'run-99' / 'run.json'}: {reason}"
    ]
    page = (root / "index.html").read_text()
    assert page.count('<tr class="run"') == 5 and "run-99" not in page  # the rest is indexed


def test_list_skips_a_damaged_record_with_one_warning(tmp_path, monkeypatch, capsys):
    from recipes.cli.outputs import _list_runs

    _fake_run(tmp_path, "hinge", "run-01", "running", "hinge", pid=1, host={"name": "elsewhere"})
    (tmp_path / "hinge" / "run-02").mkdir()
    (tmp_path / "hinge" / "run-02" / "run.json").write_text("null")
    _list_runs(tmp_path)
    out, err = capsys.readouterr()
    assert "1 running" in out and "running: " in out
    assert _warnings(err) == [
        f"warning: skipped {tmp_path / 'hinge' / 'run-02' / 'run.json'}: not a record (null)"
    ]


@pytest.mark.parametrize(
    ("sweep_record", "problem"),
    [
        ({"status": "completed", "runs": 7, "grid": None}, "recipe: Field required"),
        (
            {"status": "completed", "recipe": "x", "grid": [], "runs": [None, 3]},
            "runs.0: Input should be an object",
        ),
        (
            {
                "status": "completed",
                "recipe": "x",
                "grid": [],
                "runs": [{"run": 1, "values": {}, "run_folder": "a/b", "labels": "loss"}],
            },
            "runs.0.labels: Input should be an object",
        ),  # fmt: skip
        ({"status": "completed", "recipe": ["x"], "grid": [], "runs": []}, "recipe: Input should"),
    ],
)
def test_a_damaged_sweep_record_is_skipped_with_one_warning(output_root, sweep_record, problem):
    """A record is never guessed at: one that does not validate is left out, named."""
    sweep = output_root / "sweeps" / "odd-01"
    sweep.mkdir()
    (sweep / "sweep.json").write_text(json.dumps(sweep_record))
    warnings = []
    entries = collect_entries(output_root, warn=warnings.append)
    assert [w.split(": damaged sweep record (")[0] for w in warnings] == [
        f"warning: skipped {sweep / 'sweep.json'}"
    ]
    assert problem in warnings[0]
    assert [e.kind for e in entries].count("sweep") == 1
    page = build_index(output_root).read_text()
    assert page.count('<tr class="run"') == 5
    assert page.count('<details class="group sweep">') == 1


def test_wrong_typed_fields_of_a_run_record_skip_it_with_one_warning(tmp_path, capsys):
    folder = tmp_path / "hinge" / "run-01"
    folder.mkdir(parents=True)
    record = {
        "status": "completed", "recipe": {"a": 1}, "seed": [1], "backend": 3, "reason": [],
        "started_at": 5, "metrics": {"test_accuracy": [1], "test_loss": "x", "epochs_run": 2},
        "host": "x", "pid": "y", "heartbeat_at": "z",
    }  # fmt: skip
    (folder / "run.json").write_text(json.dumps(record))
    _fake_run(tmp_path, "hinge", "run-02", "completed", "hinge")
    page = build_index(tmp_path).read_text()
    assert page.count('<tr class="run"') == 1 and "run-01" not in page
    assert _warnings(capsys.readouterr().err) == [
        f"warning: skipped {folder / 'run.json'}: damaged run record (pid: Input should be a "
        "valid integer)"
    ]


def test_a_run_whose_figures_are_pending_says_so_with_the_command(tmp_path):
    """A run folder without its figures: its record says so, and so does its row."""
    folder = _fake_run(tmp_path, "hinge", "run-01", "completed", "hinge")
    command = ["python", "-m", "recipes", "plot", str(folder)]
    figures = {"status": "pending", "reason": "plots.draw: deferred", "command": command}
    record = json.loads((folder / "run.json").read_text())
    (folder / "run.json").write_text(json.dumps({**record, "figures": figures}))
    page = build_index(tmp_path).read_text()
    assert f"figures pending: <code>python -m recipes plot {folder}</code>" in page


def test_user_text_in_records_is_escaped_in_text_and_attributes(tmp_path):
    hostile = '"><script>alert(1)</script>'
    folder = _fake_run(tmp_path, "hinge", "run-01", "failed", "hinge", reason=hostile)
    (folder / "config.yaml").write_text(json.dumps({"loss": {"name": hostile}}))  # YAML too
    page = build_index(tmp_path).read_text()
    assert "<script>alert" not in page
    assert 'data-loss="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in page
    assert '<span class="reason">&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;</span>' in page


def test_index_refuses_an_index_html_it_did_not_write(cli, output_root):
    (output_root / "index.html").write_text("<html>my own page</html>")
    result = cli("index", "--output-root", str(output_root))
    assert result.returncode == 2
    assert _warnings(result.stderr) == [
        f"error: {output_root / 'index.html'}: not written by keras-loss-recipes; left untouched"
        "; move it away, or give --output-root the folder that holds your runs"
    ]
    assert (output_root / "index.html").read_text() == "<html>my own page</html>"


def test_index_refuses_a_root_without_runs_and_writes_nothing(cli, tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    result = cli("index", "--output-root", str(tmp_path))
    assert result.returncode == 2 and "holds no run or sweep folder" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_index_rewrites_its_own_page_and_one_written_before_the_marker(output_root):
    from recipes.report.outputs_index import GENERATOR_MARKER

    page = output_root / "index.html"
    assert GENERATOR_MARKER in page.read_text()
    legacy = "<!DOCTYPE html>\n<html><head><title>keras-loss-recipes: outputs</title></head>"
    page.write_text(legacy)
    build_index(output_root)
    assert page.read_text().count('<tr class="run"') == 5


def test_refresh_after_a_run_leaves_a_foreign_index_with_one_warning(output_root, capsys):
    from recipes.report.outputs_index import refresh_index

    (output_root / "index.html").write_text("<html>my own page</html>")
    refresh_index(output_root)
    assert (output_root / "index.html").read_text() == "<html>my own page</html>"
    err = capsys.readouterr().err
    assert len(_warnings(err)) == 1 and "not written by keras-loss-recipes" in err
    empty = output_root / "elsewhere"
    empty.mkdir()
    refresh_index(empty)  # e.g. a mistyped resume path: nothing written, nothing said
    assert list(empty.iterdir()) == [] and capsys.readouterr().err == ""


def test_a_finishing_run_waits_for_the_lock_of_another(output_root):
    """Two runs finishing at once: the second build waits until the first releases the lock."""
    import subprocess
    import sys
    import time

    from recipes.report.outputs_index import index_lock

    build = [sys.executable, "-c", "import sys; from recipes.report.outputs_index import "
             "build_index; build_index(sys.argv[1])", str(output_root)]  # fmt: skip
    (output_root / "index.html").unlink()
    with index_lock(output_root):
        waiting = subprocess.Popen(build)
        time.sleep(1.5)
        assert waiting.poll() is None and not (output_root / "index.html").exists()
    assert waiting.wait(timeout=60) == 0
    assert (output_root / "index.html").read_text().count('<tr class="run"') == 5
