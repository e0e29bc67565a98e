"""The loss gallery (``python -m recipes run loss_gallery``): a task that trains nothing.

It draws the loss curves of the TensorFlow tutorial (002) and recomputes the worked examples of
the PyTorch tutorials (001, 003), all through the same loss registry the training recipes use,
on whichever Keras backend is active, so the gallery shows exactly what the trainers optimise.

Run folder (``outputs/loss_gallery/<run-id>/``): ``config.yaml``, ``run.json``,
``regression_losses.png``, ``classification_losses.png``, ``curves.csv`` (loss, prediction,
target, value), ``derivatives.csv`` and ``loss_derivatives.png`` (the ``gallery.losses``),
``examples.csv`` (published vs computed) and ``report.md``.

Modules: ``curves`` (losses and their derivatives over a range of predictions, the fixed ones
and the given ones), ``examples`` (the worked examples), ``figures`` (the plots), ``report``
(the CSV rows and report.md) and ``task`` (the entry point, ``draw_gallery``).
"""
