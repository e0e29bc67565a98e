"""The ``loss_gallery`` task (``recipes.plugins.TASKS``): curves, examples, figures, report."""

from __future__ import annotations

from typing import Any

from recipes.files import atomic_write_text, write_csv
from recipes.studies.loss_gallery import curves, examples, figures, report
from recipes.training.lifecycle import RunContext


def draw_gallery(context: RunContext) -> dict[str, Any]:
    """Write the gallery into the run folder; returns what run.json records (a summary of the
    worked examples and the curves drawn, and the files written)."""
    folder, dpi = context.folder, context.config.plots.dpi
    with context.timed("import"):
        import keras

        from recipes.report import plots
    backend = keras.backend.backend()

    with context.timed("curves"):
        regression = curves.regression_curves()
        classification = curves.classification_curves()
        rows = report.curve_rows(regression + classification)
        write_csv(folder / report.CURVES_FILE, report.CURVE_HEADER, rows)

    with context.timed("derivatives"):
        given = curves.derivative_curves(context.config.gallery.losses)
        if given:
            rows = report.derivative_rows(given)
            write_csv(folder / report.DERIVATIVES_FILE, report.DERIVATIVES_HEADER, rows)

    with context.timed("examples"):
        worked = examples.worked_examples()
        write_csv(folder / examples.EXAMPLES_FILE, *examples.example_table(worked))

    with context.timed("plots"):
        drawn = figures.gallery_figures(regression, classification, given, backend, dpi=dpi)
        for name, ax in drawn.items():
            plots.save_figure(ax, folder / name, dpi=dpi)

    text = report.render_report(
        worked,
        {"regression": regression, "classification": classification},
        backend,
        context.record.data.get("versions", {}),
        folder.name,
        given,
    )
    atomic_write_text(folder / report.REPORT_FILE, text)
    summary = {
        "examples_matched": sum(e.match for e in worked),
        "examples_total": len(worked),
        "mismatched": [e.name for e in worked if not e.match],
        "curves": [curve.name for curve in regression + classification],
        "given_losses": [curve.label for curve in given],
    }
    return {"gallery": summary, "outputs": sorted(p.name for p in folder.iterdir())}
