"""A replay as one self-contained HTML file (docs/lab.md): the lab's page with its style and
scripts inlined and the runs' events (:mod:`recipes.live.replay`) inlined as JSON, so that it
opens from disk in any browser, with no lab and no network, and replays the runs with the
scrubber. A learner can send it to someone.

Everything inlined is escaped for where it goes: the events' JSON sits in a
``<script type="application/json">`` whose ``<``, ``>`` and ``&`` are written as JSON escapes
(a class name ``</script>`` cannot close it), the title is HTML-escaped, and the page puts any
text of a run on screen as text only. A Content-Security-Policy lets the file fetch nothing.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

from recipes.live.replay import replay

STATIC = Path(__file__).parent / "static"
LOADER = re.compile(r'<script id="loader">.*?</script>', re.DOTALL)  # names the page's scripts
# nothing from anywhere: inline style and scripts only, images the page draws itself
POLICY = (
    '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
    "script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data: blob:\">"
)
_JSON_ESCAPES = {ord(character): f"\\u{ord(character):04x}" for character in "<>&\u2028\u2029"}


def script_json(data: Any) -> str:
    """``data`` as JSON that is safe inside a ``<script>`` element: no ``<``, ``>`` or ``&``
    (written as JSON escapes, which JSON.parse reads back as the same characters)."""
    return json.dumps(data, allow_nan=False, ensure_ascii=False).translate(_JSON_ESCAPES)


def _inline_script(name: str) -> str:
    source = (STATIC / name).read_text(encoding="utf-8")
    if "</script" in source.lower():  # would end the element early: never in the page's code
        raise ValueError(f"recipes/live/static/{name} holds '</script', which cannot be inlined")
    return f"<script>\n{source}\n</script>"


def replay_html(folders: list[Path]) -> str:
    """The self-contained page replaying the run folders (side by side when two or more)."""
    runs = [replay(folder) for folder in folders]
    page = (STATIC / "index.html").read_text(encoding="utf-8")
    scripts = re.findall(r'"(\w+\.js)"', LOADER.search(page).group())  # in the page's order
    style = (STATIC / "lab.css").read_text(encoding="utf-8").replace("</", "<\\/")
    names = ", ".join(Path(folder).name for folder in folders)
    inlined = "\n".join(
        [
            POLICY,
            f"<style>\n{style}\n</style>",
            f'<script type="application/json" id="replay-data">{script_json({"runs": runs})}'
            "</script>",
            *(_inline_script(name) for name in scripts),
        ]
    )
    page = LOADER.sub(lambda _: inlined, page, count=1)
    title = f"<title>replay of {html.escape(names)}: keras-loss-recipes</title>"
    return re.sub(r"<title>.*?</title>", lambda _: title, page, count=1)


def export_replay(folders: list[Path], target: Path) -> Path:
    """Write :func:`replay_html` of the folders to ``target``."""
    from recipes.files import atomic_write_text

    atomic_write_text(Path(target), replay_html(folders))
    return Path(target)
