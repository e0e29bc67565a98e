"""``python -m recipes serve`` (``make serve``): a run folder whose figures are pending draws
them when opened (``python -m recipes plot``, stood in for here: tests/training/test_drawing.py
draws for real), then serves the file; anything else is served as http.server serves it."""

from __future__ import annotations

import functools
import http.server
import json
import subprocess
import threading
import urllib.request

import pytest

import recipes.report.serve as serve


@pytest.fixture
def server(tmp_path, monkeypatch):
    folder = tmp_path / "hinge" / "run-01"
    folder.mkdir(parents=True)
    command = ["python", "-m", "recipes", "plot", str(folder)]
    record = {"status": "completed", "recipe": "hinge", "figures": {
        "status": "pending", "reason": "plots.draw: deferred", "command": command}}  # fmt: skip
    (folder / "run.json").write_text(json.dumps(record))
    (tmp_path / "notes.txt").write_text("mine")
    drawn = []

    def plot(command, **options):  # what python -m recipes plot leaves: figures, record
        drawn.append(command[-4:])
        (folder / "loss.png").write_bytes(b"png")
        figures = {"status": "drawn", "where": "plot", "files": ["loss.png"], "seconds": 0.1,
                   "drawn_at": "2026-12-07T10:00:00"}  # fmt: skip
        (folder / "run.json").write_text(json.dumps({**record, "figures": figures}))
        return subprocess.CompletedProcess(command, 0, "drew loss.png", "")

    monkeypatch.setattr(serve.subprocess, "run", plot)
    handler = functools.partial(serve.Handler, directory=str(tmp_path))
    handler.func.log_message = lambda *arguments: None
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", drawn, folder
    httpd.shutdown()
    httpd.server_close()


def test_opening_a_run_whose_figures_are_pending_draws_them_once(server):
    address, drawn, folder = server
    with urllib.request.urlopen(f"{address}/notes.txt") as response:
        assert response.read() == b"mine"
    assert drawn == []  # not a run folder
    with urllib.request.urlopen(f"{address}/hinge/run-01/loss.png") as response:
        assert response.read() == b"png"
    assert drawn == [["-m", "recipes", "plot", str(folder)]]
    with urllib.request.urlopen(f"{address}/hinge/run-01/") as response:
        assert b"loss.png" in response.read()
    assert len(drawn) == 1  # drawn now: served as it is
