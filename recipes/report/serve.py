"""``python -m recipes serve`` (``make serve``): serve an output root over HTTP (loopback only),
as ``python -m http.server`` would, and draw a run's pending figures when it is opened: a
request for anything in a run folder whose record says its figures are pending draws them
first, with ``python -m recipes plot <folder>`` (which brings the index up to date), in a
process of its own: the drawing lives in the training room, which imports this one, and a run
whose figures fail cannot take the server down with it.
"""

from __future__ import annotations

import functools
import http.server
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from recipes.records import FiguresPending, run_or_none

DRAWING = threading.Lock()  # one run's figures at a time; a second request then finds them


def pending_run_folder(root: Path, url_path: str) -> Path | None:
    """The run folder (``<root>/<recipe>/<run-id>``) a request is for, when its figures are
    pending; else None."""
    parts = [part for part in unquote(urlsplit(url_path).path).split("/") if part]
    if len(parts) < 2 or ".." in parts[:2]:
        return None
    folder = root / parts[0] / parts[1]
    record = run_or_none(folder) if (folder / "run.json").is_file() else None
    return folder if record and isinstance(record.figures, FiguresPending) else None


class Handler(http.server.SimpleHTTPRequestHandler):
    def send_head(self) -> Any:  # http.server's hook for GET and HEAD
        root = Path(self.directory)
        if pending_run_folder(root, self.path) is not None:
            with DRAWING:
                folder = pending_run_folder(root, self.path)  # again: drawn while we waited?
                if folder is not None:  # a failure is recorded in its run.json and logged
                    command = [sys.executable, "-m", "recipes", "plot", str(folder)]
                    drawn = subprocess.run(command, capture_output=True, text=True)
                    self.log_message("%s", (drawn.stdout + drawn.stderr).strip())
        return super().send_head()


def serve(output_root: Path, port: int = 8000) -> None:
    """Serve ``output_root`` at http://127.0.0.1:<port>/ until interrupted."""
    handler = functools.partial(Handler, directory=str(Path(output_root).resolve()))
    with http.server.ThreadingHTTPServer(("127.0.0.1", port), handler) as server:
        print(f"open http://127.0.0.1:{server.server_address[1]}/index.html (Ctrl-C stops)")
        server.serve_forever()
