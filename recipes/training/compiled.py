"""The compiled training path (JAX backend): every epoch is one jitted ``jax.lax.scan`` of
Keras' own stateless ``train_step`` over device-resident data, ``jax.vmap``-ed over a group of
models that share their shapes and schedule (a single run is a group of one).

Why written here rather than left to ``model.fit``: on the hinge recipe (3,600 steps of batch 5)
``model.fit`` on JAX spends most of its time in Python between small compiled calls; the same
steps as one scan per epoch run near the hardware's floor (``make benchmark`` measures both).
The model, loss, metrics and optimizer stay Keras objects driven through their stateless API
(``train_step``, ``test_step``, ``stateless_apply``), so the logs, callbacks and the saved
``model.keras`` are what ``model.fit`` gives: per-epoch validation with the configured metrics,
``history.csv``, early stopping with best weights, the NaN guard, backups, one progress line
per epoch.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from recipes.components.keras_private import initial_epoch, symbolic_build, train_validation_split


@dataclass
class Member:
    """One model of a compiled group: its compiled Keras model, data and callbacks."""

    model: Any
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray | None
    y_val: np.ndarray | None
    callbacks: list[Any]
    seed: int
    verbose: int = 0
    history: Any = None  # keras.callbacks.History, made when training begins
    callback_list: Any = None
    active: bool = True
    last_logs: dict[str, float] = field(default_factory=dict)


def validation_holdout(x: np.ndarray, y: np.ndarray, fraction: float) -> tuple[Any, ...]:
    """(x_train, y_train, x_val, y_val) as ``model.fit(validation_split=fraction)`` takes
    them: the last part of the arrays, unshuffled, is the validation data."""
    if not fraction:
        return x, y, None, None
    (x_train, y_train), (x_val, y_val) = train_validation_split((x, y), fraction)
    return x_train, y_train, x_val, y_val


class CompiledGroup:
    """The jitted epoch and evaluation programs of a group and the host loop around them:
    :meth:`fit` trains the members together. Its programs come from
    :mod:`recipes.training.programs`."""

    def __init__(self, members: Sequence[Member], batch_size: int, shuffle: bool) -> None:
        import jax

        from recipes.training.programs import ProgramCache

        self.members = list(members)
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.leader = self.members[0].model
        for member in self.members:
            batch = (member.x_train[:batch_size], member.y_train[:batch_size])
            symbolic_build(member.model, batch)  # what fit does: builds metrics
        # one program per epoch: the epoch's steps, then (with validation data) its evaluation
        # the fresh metrics and the validation batches (the same for every model) are shared
        validation = (0, None, None) if self.members[0].x_val is not None else ()
        in_axes = (0, None, 0, 0, 0, 0, 0, *validation)
        self._train_epoch = jax.jit(jax.vmap(self._one_epoch, in_axes=in_axes))
        self._split = jax.jit(self._unstack)
        self.programs = ProgramCache(self.leader)
        self._programs: dict[str, Callable] = {}

    # --- the compiled programs (traced once per group; ``leader`` is only a template) ---

    def _one_epoch(self, state, fresh_metrics, x, y, batches, remainder, active, *validation):
        """One model's epoch: (new state, the epoch's logs as fit reports them); given
        ``validation`` (data, batches, remainder), its validation logs too (``val_`` names)."""
        import jax

        trainable, non_trainable, optimizer_variables = state
        start = (trainable, non_trainable, optimizer_variables, fresh_metrics)
        end, logs = _over_batches(self.leader.train_step, start, x, y, batches, remainder)
        # a model whose callbacks stopped it keeps its state (early stopping in a group)
        end = jax.tree_util.tree_map(lambda new, old: jax.numpy.where(active, new, old), end, start)
        if validation:
            (x_val, y_val), val_batches, val_remainder = validation
            val_start = (end[0], end[1], fresh_metrics)
            step = self.leader.test_step
            _, val_logs = _over_batches(step, val_start, x_val, y_val, val_batches, val_remainder)
            logs = {**logs, **{f"val_{key}": value for key, value in val_logs.items()}}
        return end[:3], logs

    @staticmethod
    def _unstack(stacked):
        """Per model, its own arrays (one compiled call, not one slice per array)."""
        import jax

        count = jax.tree_util.tree_leaves(stacked)[0].shape[0]
        return [jax.tree_util.tree_map(lambda leaf, k=k: leaf[k], stacked) for k in range(count)]

    # --- the host loop ---

    def fit(
        self, epochs: int, on_epoch: Callable[[int, int], None] | None = None
    ) -> list[dict[str, list[float]]]:
        """Train the members for ``epochs`` epochs; returns each one's history (the epochs it
        ran, one list per logged value), as ``model.fit(...).history`` would.
        ``on_epoch(epoch, models still training)`` is called after each epoch."""
        from recipes.signals import raise_if_stopping

        initial_epoch = self._begin_training(epochs)
        state = tuple(
            _stack(groups)
            for groups in zip(*(_state_variables(m.model) for m in self.members), strict=True)
        )
        self.leader.reset_metrics()
        fresh_metrics = [_on_device(v.value) for v in self.leader.metrics_variables]
        x_train = _on_device(np.stack([m.x_train for m in self.members]))
        y_train = _on_device(np.stack([m.y_train for m in self.members]))
        validation = self._validation_arrays()
        # each epoch's end gives every training model its weights (_end_epoch): nothing is
        # left to copy back when the loop ends, however it ends
        for epoch in range(initial_epoch, epochs):
            for member in self._active():
                member.callback_list.on_epoch_begin(epoch)
            batches, remainder = self._epoch_order(epoch)
            active = _on_device(np.asarray([m.active for m in self.members]))
            arguments = (state, fresh_metrics, x_train, y_train, batches, remainder, active)
            state, logs = self._run("epoch", self._train_epoch, *arguments, *validation)
            self._end_epoch(epoch, state, logs)
            if on_epoch is not None:
                on_epoch(epoch, len(self._active()))
            raise_if_stopping()
            if not self._active():
                break
        for member in self.members:
            member.model.optimizer.finalize_variable_values(member.model.trainable_weights)
            member.callback_list.on_train_end(logs=member.last_logs)
        return [member.history.history for member in self.members]

    def _run(self, name: str, jitted: Callable, *arguments: Any) -> Any:
        """Call the group's program ``name``: at its first call it is loaded from the program
        cache, or traced (and exported there)."""
        if name not in self._programs:
            self._programs[name] = self.programs.program(name, jitted, *arguments)
        return self._programs[name](*arguments)

    def _begin_training(self, epochs: int) -> int:
        import keras

        for member in self.members:
            member.history = keras.callbacks.History()
            member.callback_list = keras.callbacks.CallbackList(
                [*member.callbacks, member.history],
                add_history=False,
                add_progbar=member.verbose != 0,
                verbose=member.verbose,
                epochs=epochs,
                steps=-(-len(member.x_train) // self.batch_size),
                model=member.model,
            )
            member.model.stop_training = False
            member.callback_list.on_train_begin()  # a backup restores weights and epoch here
        # a group's points are all fresh (a resumed point runs alone), so they start together
        return initial_epoch(self.leader)

    def _validation_arrays(self) -> tuple[Any, ...]:
        """(data, batches, remainder) of every model's validation data; () without."""
        if self.members[0].x_val is None:
            return ()
        x_val = _on_device(np.stack([m.x_val for m in self.members]))
        y_val = _on_device(np.stack([m.y_val for m in self.members]))
        batches, remainder = _batches(np.arange(len(self.members[0].x_val)), self.batch_size)
        return (x_val, y_val), _on_device(batches), _on_device(remainder)

    def _epoch_order(self, epoch: int) -> tuple[Any, Any]:
        """Each model's batches for one epoch: a permutation seeded by (seed, epoch), or the
        data's own order when ``shuffle`` is off."""
        samples = len(self.members[0].x_train)
        orders = [
            np.random.default_rng([m.seed, epoch]).permutation(samples)
            if self.shuffle
            else np.arange(samples)
            for m in self.members
        ]
        split = [_batches(order, self.batch_size) for order in orders]
        return _on_device(np.stack([s[0] for s in split])), _on_device(
            np.stack([s[1] for s in split])
        )

    def _end_epoch(self, epoch: int, state: tuple, logs: dict[str, Any]) -> None:
        """Give each active model its new weights, and its callbacks the epoch's logs."""
        import jax

        logs = {key: np.asarray(values).tolist() for key, values in jax.device_get(logs).items()}
        for index, (member, own_state) in enumerate(
            zip(self.members, self._run("split", self._split, state), strict=True)
        ):
            if not member.active:
                continue
            _assign(member.model, own_state)
            member_logs = {key: values[index] for key, values in logs.items()}
            member.last_logs = member_logs
            member.callback_list.on_epoch_end(epoch, member_logs)
            if member.model.stop_training:
                member.active = False

    def _active(self) -> list[Member]:
        return [member for member in self.members if member.active]


def _over_batches(step: Callable, state: Any, x: Any, y: Any, batches: Any, remainder: Any):
    """(final state, last logs) of Keras' stateless ``step`` (``train_step`` or ``test_step``)
    over the full ``batches`` as one ``jax.lax.scan``, then the last, smaller batch, as fit and
    evaluate run them (each logs a running mean, so the last logs are the epoch's)."""
    import jax

    def one(carry, indices):
        logs, carry = step(carry, (x[indices], y[indices]))
        return carry, logs

    logs = None
    if batches.shape[0]:  # shapes are static: known when the program is traced
        state, logs = jax.lax.scan(one, state, batches)
        logs = jax.tree_util.tree_map(lambda values: values[-1], logs)
    if remainder.shape[0]:
        logs, state = step(state, (x[remainder], y[remainder]))
    return state, logs


def _batches(order: np.ndarray, batch_size: int) -> tuple[np.ndarray, np.ndarray]:
    """``order`` as full batches (steps, batch_size) and the remaining indices."""
    full = len(order) // batch_size * batch_size
    return order[:full].reshape(-1, batch_size), order[full:]


def _state_variables(model: Any) -> tuple[list[Any], ...]:
    return (
        model.trainable_variables,
        model.non_trainable_variables,
        model.optimizer.variables,
    )


def _stack(per_member: tuple[list[Any], ...]) -> list[Any]:
    """Each variable's values stacked across the models, on the device."""
    return [
        _on_device(np.stack([np.asarray(v.value) for v in same]))
        for same in zip(*per_member, strict=True)
    ]


def _on_device(array: Any) -> Any:
    """``array`` on the default device, as a copy: ``jax.device_put`` rather than
    ``jnp.asarray``, which runs a small compiled program for each new shape (measured here:
    60 ms each, 1.3 s for 20 shapes, where device_put took 15 ms)."""
    import jax

    return jax.device_put(np.asarray(array), jax.local_devices()[0])


def _assign(model: Any, state: tuple) -> None:
    for variables, values in zip(_state_variables(model), state, strict=True):
        for variable, value in zip(variables, values, strict=True):
            variable.assign(value)
