"""What a config can plug in by name: tasks, sweep reports and sweep executors.

Each is a registry of references (``"module:attribute"``), so a config's ``task:``, ``report:``
and ``sweep.executor:`` are checked, with the usual "did you mean", before anything heavy is
imported; the code behind a name is imported only when it runs. The engine finds a recipe's own
code only through these names, never through a config file's name.

- A **task** is what one run does: ``task(context) -> dict`` with a
  :class:`recipes.training.lifecycle.RunContext`; what it returns is recorded in run.json.
  ``needs`` lists the config blocks it cannot run without; ``resumable`` says whether
  ``python -m recipes resume`` can continue an interrupted run of it; ``together`` (optional)
  trains several runs of it as one program, for the ``vectorized`` executor.
- A **report** is what a sweep writes once its runs are done: ``report(sweep) -> list of
  paths`` with a :class:`recipes.sweeps.records.SweepResults`. Before it, a sweep over
  two-feature data gets its runs' boundaries side by side (:data:`SIDE_BY_SIDE`).
- An **executor** runs a sweep's points: ``Executor(jobs).run(sweep, progress)``, see
  :mod:`recipes.sweeps.executors`.

Adding one: write the function in ``recipes/studies/`` (a recipe's own code) or in the engine
room it belongs to, and register its reference here.
"""

from __future__ import annotations

from recipes.registry import Reference, Registry

TASKS: Registry = Registry("task")
REPORTS: Registry = Registry("report")
EXECUTORS: Registry = Registry("executor")

TASKS.register_reference(
    "train",
    "recipes.training.train:train_and_evaluate",
    needs=("data", "model", "loss"),
    resumable=True,
    together=Reference("recipes.training.group:train_together"),
)
TASKS.register_reference("loss_gallery", "recipes.studies.loss_gallery.task:draw_gallery", needs=())

REPORTS.register_reference("table", "recipes.report.comparison:default_comparison")
REPORTS.register_reference("mnist_table", "recipes.studies.mnist_table:compare_mnist_losses")
REPORTS.register_reference("compare_hinge", "recipes.studies.compare_hinge:compare_hinge")
REPORTS.register_reference("compare_losses", "recipes.studies.compare_losses:compare_losses")

# What every sweep over two-feature data writes besides its report: its runs' boundaries and
# forces side by side, labelled by what varies.
SIDE_BY_SIDE = Reference("recipes.studies.side_by_side:write_side_by_side")

# Each executor's summary is what `python -m recipes sweep --help` says of it.
EXECUTORS.register_reference(
    "processes",
    "recipes.sweeps.executors:ProcessExecutor",
    summary="each point in a fresh process, --jobs at a time (the default)",
)
EXECUTORS.register_reference(
    "vectorized",
    "recipes.sweeps.vectorized:VectorizedExecutor",
    summary="JAX: points differing only in their seed train together as one program",
)
EXECUTORS.register_reference(
    "workers",
    "recipes.sweeps.executors:WorkerExecutor",
    summary="--jobs long-lived processes import Keras once, then run point after point",
)
EXECUTORS.register_reference(
    "ray",
    "recipes.sweeps.ray_executor:RayExecutor",
    summary="each point a Ray task, here or on a cluster (--address)",
)
