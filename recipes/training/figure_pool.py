"""Processes that draw run folders' figures while a sweep's group of runs finishes
(``plots.draw: pool``, or ``auto`` for a large group; :mod:`recipes.training.drawing`).

Each worker is a fresh process (the ``spawn`` start method: this process has started JAX,
whose threads a ``fork`` would copy in an unknown state), imports Keras on the run's backend
once, at the pool's start, so it does so while the group trains, and then draws one run folder
after another from what the folder holds (:func:`recipes.training.drawing.draw_from_folder`), the
compiled evaluate and predict functions shared by the models of one config, as the group
shares them. A worker ignores Ctrl-C: the sweep decides what stops, and the pool ends by
letting the drawings under way finish and cancelling the rest.
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import signal
from pathlib import Path
from typing import Any

from recipes.config.schema import RecipeConfig
from recipes.training.drawing import Drawn, draw_from_folder, pool_workers

_COMPILED: dict[str, Any] = {}  # in a worker: compiled functions by config (seed aside)


def _start_worker(backend: str) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from recipes.training.backend import select_backend

    select_backend(backend)
    import keras  # noqa: F401 (the start-up paid here, while the group trains)

    import recipes.training.figures  # noqa: F401 (matplotlib and the plot modules)


def _ready() -> None:
    """A first task for each worker, so that every worker starts at once."""


def _draw(folder: str) -> Drawn:
    return draw_from_folder(Path(folder), "pool", _COMPILED)


class FigurePool:
    """``workers`` processes on ``backend``; :meth:`submit` a run folder, get a future of
    its :class:`~recipes.training.drawing.Drawn`."""

    def __init__(self, workers: int, backend: str) -> None:
        self.workers = workers
        self.backend = backend
        self.executor = concurrent.futures.ProcessPoolExecutor(
            workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
            initargs=(backend,),
        )
        for _ in range(workers):  # each submit while none is idle starts one more worker
            self.executor.submit(_ready)

    def submit(self, folder: Path) -> concurrent.futures.Future:
        return self.executor.submit(_draw, str(folder))

    def close(self, cancel: bool = False) -> None:
        self.executor.shutdown(wait=True, cancel_futures=cancel)


class FigurePools:
    """The figure pool of a sweep's executor, shared by its groups (one start-up): the first
    group that wants one starts it; ``with`` closes it (cancelling what is left when the
    block ends with an error). ``jobs``: the sweep's, the most workers it may have."""

    def __init__(self, jobs: int) -> None:
        self.jobs = jobs
        self.pool: FigurePool | None = None
        self.broken = False

    def pool_for(self, config: RecipeConfig, runs: int) -> FigurePool | None:
        """The pool to draw a group of ``runs`` runs of ``config``, or None: draw in the run
        (:func:`recipes.training.drawing.pool_workers`; also once a pool has broken)."""
        workers = pool_workers(config, runs, self.jobs)
        backend = config.backend or "jax"
        if workers == 0 or self.broken:
            return None
        if self.pool is not None and self.pool.backend != backend:
            self.pool.close()
            self.pool = None
        if self.pool is None:
            self.pool = FigurePool(workers, backend)
        return self.pool

    def mark_broken(self) -> None:
        """A worker died (``BrokenProcessPool``): later runs draw in the run."""
        self.broken = True

    def __enter__(self) -> FigurePools:
        return self

    def __exit__(self, kind: Any, error: BaseException | None, trace: Any) -> bool:
        if self.pool is not None:
            self.pool.close(cancel=error is not None)
        return False
