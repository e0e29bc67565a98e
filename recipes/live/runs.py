"""The lab's runs: each a real run through the one door (:func:`recipes.training.door.run_point`)
in its own thread, in the run folder every run has, watched epoch by epoch
(:mod:`recipes.live.watch`), its events kept so a client that connects late gets them all.

Keras keeps global state per process (``clear_session`` and the seed in the door), so the
lab's runs never touch Keras at the same time: a run holds the :class:`Baton` from its start to
its end except between two epochs, where it hands it to the next run waiting, in turn. Runs side
by side thus train one epoch each in turn, on the same data, seed and starting weights (each
seeds and builds its model while it holds the baton); a single run never waits.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from recipes.config.schema import ResolvedRecipe
from recipes.files import create_unique_folder
from recipes.live.watch import Stop, watcher
from recipes.report.outputs_index import refresh_index

# a lab run's figures are drawn when first asked for (the index, `python -m recipes plot`):
# the page drew every epoch, and drawing them would keep the next run waiting seconds
LIVE = "a lab run: the lab's page showed it live"
KEEP_RUNS = 50  # finished runs whose events the lab keeps (a late client's replay)
POLL_S = 0.03  # how often a reader (the page's event stream, a notebook's cell) looks for more


class Baton:
    """A fair lock (first come, first served): who holds it may touch Keras."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._next_ticket = 0
        self._serving = 0

    def acquire(self) -> None:
        with self._condition:
            ticket = self._next_ticket
            self._next_ticket += 1
            self._condition.wait_for(lambda: self._serving == ticket)

    def release(self) -> None:
        with self._condition:
            self._serving += 1
            self._condition.notify_all()

    def pass_turn(self) -> None:
        """Let every run waiting go first (nothing when none waits)."""
        with self._condition:
            if self._next_ticket == self._serving + 1:
                return
        self.release()
        self.acquire()


@dataclass
class LabRun:
    """One run the lab started: its id (the run folder's name), folder and events."""

    recipe: ResolvedRecipe | None  # None: a replay of a finished run's folder
    folder: Path
    command: str
    name: str = ""  # its id when not the folder's name (a replay's)
    label: str = ""  # a replay's: what its sweep varies and its folder's name
    events: list[tuple[str, str]] = field(default_factory=list)  # (name, its data as JSON)
    stop_reason: str | None = None
    finished: bool = False
    thread: threading.Thread | None = None
    recorded: threading.Event = field(default_factory=threading.Event)  # its folder is final

    @property
    def id(self) -> str:
        return self.name or self.folder.name

    def answer(self) -> dict[str, str]:
        answer = {"id": self.id, "folder": str(self.folder)}
        return {**answer, "label": self.label} if self.label else answer

    def emit(self, name: str, data: dict[str, Any]) -> None:
        """Keep an event (from the run's thread) for the readers, who look every
        :data:`POLL_S`."""
        # kept as the JSON text sent (a run's events: about 1 MB, not 4 as Python objects)
        self.events.append((name, json.dumps(data, allow_nan=False)))

    def check_stop(self) -> None:
        if self.stop_reason is not None:
            raise Stop(self.stop_reason)


class Lab:
    """The runs of one lab process, started and stopped as the page asks."""

    def __init__(self, output_root: Path) -> None:
        self.output_root = Path(output_root)
        self.runs: dict[str, LabRun] = {}
        self.opened: list[LabRun] = []  # the replays the lab was started with
        self.baton = Baton()
        self._lock = threading.Lock()

    def start(self, recipes: list[ResolvedRecipe], commands: list[str]) -> list[LabRun]:
        """Stop the runs still training and start ``recipes`` side by side."""
        with self._lock:
            previous = [run for run in self.runs.values() if not run.finished]
            for old in [run for run in self.runs.values() if run.finished][:-KEEP_RUNS]:
                del self.runs[old.id]  # its folder stays; its events are let go
            for run in previous:
                self.stop(run, "stopped by the lab: a new run was started")
            started = []
            for recipe, command in zip(recipes, commands, strict=True):
                folder = create_unique_folder(self.output_root / recipe.name)
                run = LabRun(recipe, folder, command)
                self.runs[run.id] = run
                started.append(run)
            for run in started:
                run.thread = threading.Thread(
                    target=self._train, args=(run, previous), name=f"lab-{run.id}", daemon=True
                )
                run.thread.start()
            return started

    def open(self, folders: list[Path]) -> list[LabRun]:
        """Replays of finished runs' folders (:mod:`recipes.live.replay`), built again from
        each folder: runs whose events are all there, which the page follows as it follows a
        live run. NotReplayable for a folder without a recording."""
        from recipes.live.replay import replay

        opened = []
        for folder in folders:
            events = replay(folder)
            start = events[0][1]
            label = ": ".join(part for part in (start["varies"], folder.name) if part)
            run = LabRun(None, folder, start["command"], start["id"], label)
            for name, data in events:
                run.emit(name, data)
            run.finished = True  # never among the runs a new one waits for (recorded)
            with self._lock:
                self.runs[run.id] = run
            opened.append(run)
        return opened

    def stop(self, run: LabRun, reason: str) -> None:
        if not run.finished and run.stop_reason is None:
            run.stop_reason = reason

    def stop_all(self, reason: str) -> None:
        for run in list(self.runs.values()):
            self.stop(run, reason)

    def join(self, timeout_s: float) -> None:
        for run in list(self.runs.values()):
            if run.thread is not None:
                run.thread.join(timeout_s)

    def _train(self, run: LabRun, previous: list[LabRun]) -> None:
        from recipes.live.replay import end_event
        from recipes.training.door import run_point

        for earlier in previous:  # their folders are final before a new run begins
            earlier.recorded.wait()

        def watch(config: Any, split: Any) -> list[Any]:
            start = {"id": run.id, "folder": str(run.folder), "command": run.command}
            return watcher(config, split, run.emit, run.check_stop, self.baton.pass_turn, start)

        self.baton.acquire()
        try:
            run_point(
                run.recipe,
                self.output_root,
                folder=run.folder,
                watch=watch,
                figures_pending=LIVE,
                verbose=0,
            )
        finally:
            self.baton.release()
            run.recorded.set()
        end = end_event(run.folder, str(run.folder))
        try:
            refresh_index(self.output_root)  # build_index holds the index's own lock
        finally:
            run.emit("end", end)
            run.finished = True
