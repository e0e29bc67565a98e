"""What the Python API hands back: a :class:`Run` (one run folder) and a :class:`Sweep` (one
sweep folder), read from the folder on demand, so an object made by ``recipes.run(...)`` and
one opened later with ``recipes.load_run(folder)`` are the same thing.

In Jupyter both draw themselves (``_repr_html_``): status, metrics and figures inline (a run:
its boundary and loss, the other figures as links), every piece of user text (recipe names,
grid labels, reasons, file names) HTML-escaped. Nothing here imports
Keras until :meth:`Run.load_model` is called.
"""

from __future__ import annotations

import base64
import os
import urllib.parse
from functools import cached_property
from pathlib import Path
from typing import Any

from recipes.files import read_csv_columns
from recipes.records import RunRecord, SweepRecord, read_config, read_run, read_sweep
from recipes.status import RunStatus, shown_status

MAIN_FIGURES = ("decision_boundary", "loss")  # a run's view shows these; the rest as links
SHOWN_WIDTH_PX = 560  # at the default 120 dpi: the figures' text at about 12 px, as drawn


# A folder's view in a notebook (Jinja2, every value HTML-escaped as it is written): title,
# folder, a note (why it failed), a table, the figures inline, the ``linked`` ones as links.
PAGE = """<div><h4>{{ title }}</h4><p><code>{{ folder }}</code></p>
{%- if note %}<p>{{ note }}</p>{% endif %}
{%- if rows %}<table><thead><tr>{% for cell in header %}<th>{{ cell }}</th>{% endfor %}</tr>
</thead><tbody>{% for row in rows %}<tr>{% for cell in row %}
<td>{{ "%.4g"|format(cell) if cell is float else cell }}</td>{% endfor %}</tr>{% endfor %}
</tbody></table>{% endif %}
{%- for path in shown %}<figure style="display:inline-block;margin:4px;vertical-align:top">
<img src="data:image/{{ "gif" if path.suffix == ".gif" else "png" }};base64,{{ inline(path) }}"
alt="{{ path.stem }}" style="max-width:min(100%, {{ width }}px)"><figcaption>{{ path.stem }}
</figcaption></figure>{% endfor %}
{%- if linked %}<p>More figures: {% for path in linked %}{{ ", " if not loop.first }}
<a href="{{ relative_url(path) }}" target="_blank">{{ path.name }}</a>{% endfor %}</p>{% endif %}
</div>"""


def _relative_url(path: Path) -> str:
    """The file's address relative to the current folder (a notebook's kernel runs in the
    notebook's folder, which is what Jupyter resolves a relative link against)."""
    try:
        target = Path(os.path.relpath(path)).as_posix()
    except ValueError:  # another drive (Windows): no relative path
        target = path.as_uri()
    return urllib.parse.quote(target, safe="/:")


class Folder:
    """What a run folder and a sweep folder show alike: ``status`` (the record's, or
    ``stopped (process gone)``), ``figures`` (name, the file's stem, to path) and
    :meth:`show`."""

    folder: Path
    record: RunRecord | SweepRecord

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self.folder)!r}, status={self.status.value!r})"

    @property
    def status(self) -> RunStatus:
        return shown_status(self.record)

    @property
    def figures(self) -> dict[str, Path]:
        found = [p for p in self.folder.iterdir() if p.suffix in (".png", ".gif") and p.is_file()]
        return {path.stem: path for path in sorted(found)}

    def show(self, name: str) -> None:
        """Display one figure, e.g. ``run.show("decision_boundary")``, inline in a notebook
        (an IPython kernel); elsewhere say where the file is (a terminal cannot show it)."""
        figures = self.figures
        if name not in figures:
            raise KeyError(
                f"no figure named '{name}'; this folder has: {', '.join(figures) or 'none yet'}"
            )
        try:
            from IPython import get_ipython
            from IPython.display import Image, display
        except ImportError:
            get_ipython = None
        path = figures[name]
        if get_ipython is None or get_ipython() is None:
            print(f"{name}: {path} (open it in an image viewer; inline display needs a notebook)")
            return
        display(Image(filename=str(path)))

    def _page(self, title: str, note: str, table: tuple[list, list], linked=()) -> str:
        """The notebook's view (``_repr_html_``): :data:`PAGE`, with this folder's figures
        inline but for those named in ``linked``."""
        import jinja2

        figures, template = self.figures, jinja2.Environment(autoescape=True).from_string(PAGE)
        return template.render(
            title=title,
            folder=self.folder,
            note=note,
            header=table[0],
            rows=table[1],
            shown=[path for name, path in figures.items() if name not in linked],
            linked=[path for name, path in figures.items() if name in linked],
            width=SHOWN_WIDTH_PX,
            inline=lambda path: base64.b64encode(path.read_bytes()).decode("ascii"),
            relative_url=_relative_url,
        )


class Run(Folder):
    """One run folder: ``folder``, ``record`` (its run.json, :class:`recipes.records.RunRecord`),
    ``status``, ``metrics``, ``history`` (one list per column, a value per epoch, as Keras'
    ``History.history``), ``config`` (the resolved config as a mapping), ``figures`` (name to
    path), :meth:`load_model` and :meth:`show`. ``message``: the line the command line would
    have printed on standard error ('' when completed). A folder without a readable run.json
    is refused in one line (:class:`recipes.records.RecordError`)."""

    def __init__(self, folder: Path | str, message: str = "") -> None:
        self.folder = Path(folder).resolve()
        self.message = message
        read_run(self.folder)

    @property
    def record(self) -> RunRecord:
        return read_run(self.folder)

    @property
    def reason(self) -> str:
        return self.record.reason

    @property
    def metrics(self) -> dict[str, Any]:
        """What the run measured, as its record keeps it ({} until it completes)."""
        return self.record.metrics or {}

    @property
    def history(self) -> dict[str, list[float]]:
        return read_csv_columns(self.folder / "history.csv")

    @cached_property
    def config(self) -> dict[str, Any]:
        return read_config(self.folder)

    def load_model(self) -> Any:
        """The trained ``keras.Model`` (model.keras), with this project's losses and metrics
        registered; imports Keras (on the backend this process already uses, if any)."""
        import keras

        import recipes.components.keras_objects  # noqa: F401 (custom objects)

        return keras.models.load_model(self.folder / "model.keras")

    def _repr_html_(self) -> str:
        record, metrics = self.record, self.metrics
        title = f"{record.recipe or self.folder.parent.name}: {shown_status(record)}"
        table = (["metric", "value"], [[key, value] for key, value in metrics.items()])
        return self._page(title, record.reason, table, self.linked_figures())

    def linked_figures(self) -> tuple[str, ...]:
        """The figures the view links to rather than shows: all but :data:`MAIN_FIGURES`
        (the epochs' panels, forces and the animation are unreadable as thumbnails), and the
        animation always; a run without the main figures (loss_gallery's curves) shows its
        pictures."""
        figures = self.figures
        if not any(name in figures for name in MAIN_FIGURES):
            return tuple(name for name, path in figures.items() if path.suffix == ".gif")
        return tuple(name for name in figures if name not in MAIN_FIGURES)


class Sweep(Folder):
    """One sweep folder: ``folder``, ``record`` (its sweep.json,
    :class:`recipes.records.SweepRecord`), ``results`` (what each point produced,
    :class:`recipes.sweeps.records.SweepResults`), ``status``, ``runs`` (a :class:`Run` per
    point that has a run folder), ``summary`` (one dict per point, as summary.csv),
    ``figures`` (the report's figures, name to path) and :meth:`show`."""

    def __init__(self, folder: Path | str) -> None:
        from recipes.sweeps.records import load_sweep

        self.folder = Path(folder).resolve()
        self.results = load_sweep(self.folder)

    @property
    def record(self) -> SweepRecord:
        return read_sweep(self.folder)

    @property
    def runs(self) -> list[Run]:
        return [
            Run(result.folder)
            for result in self.results.runs
            if result.folder is not None and (result.folder / "run.json").is_file()
        ]

    @property
    def summary(self) -> list[dict[str, Any]]:
        from recipes.sweeps.records import summary_rows

        header, rows = summary_rows(self.results)
        return [dict(zip(header, row, strict=True)) for row in rows]

    def _repr_html_(self) -> str:
        from recipes.sweeps.records import summary_rows

        header, rows = summary_rows(self.results)
        keep = [i for i, name in enumerate(header) if name not in ("run_folder", "wall_s")]
        table = ([header[i] for i in keep], [[row[i] for i in keep] for row in rows])
        error = self.results.report_error
        note = f"report failed: {error}" if error else ""
        return self._page(f"sweep of {self.results.recipe}: {self.status}", note, table)
