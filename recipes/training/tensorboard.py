"""TensorBoard logs of a run (``train.tensorboard: true``), in ``<run folder>/tensorboard/``.

Keras' own ``keras.callbacks.TensorBoard`` writes the scalars of every epoch (``train`` and
``validation`` runs, one curve per logged value); this module adds, at the start of training,
the resolved config as text and, for a run started with ``--set`` overrides (every sweep point
is), those values as TensorBoard hparams, so the HParams tab compares a sweep's runs.
Event files are written with ``tf.summary`` (TensorFlow is a core dependency, so this works on
every backend); the hparams summary and the viewer need the ``tensorboard`` package (the
``tensorboard`` extra). ``make tensorboard`` serves every run under outputs/.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

LOG_FOLDER = "tensorboard"


def hparams_from_overrides(overrides: list[str]) -> dict[str, bool | int | float | str]:
    """``["loss=hinge", "seed=3"]`` -> ``{"loss": "hinge", "seed": 3}`` (values read as YAML;
    what TensorBoard cannot show, lists or mappings, as text; an empty one, such as the
    ``grid={}`` of a sweep point, has nothing to compare and is left out)."""
    values: dict[str, bool | int | float | str] = {}
    for text in overrides:
        key, _, raw = text.partition("=")
        value = yaml.safe_load(raw) if raw else ""
        if isinstance(value, (bool, int, float, str)):
            values[key.strip()] = value
        elif value:
            values[key.strip()] = raw
    return values


def config_markdown(config_mapping: dict[str, Any]) -> str:
    """The resolved config as a Markdown code block (TensorBoard renders text as Markdown)."""
    text = yaml.safe_dump(config_mapping, sort_keys=False)
    return "\n".join("    " + line for line in text.splitlines())


def tensorboard_callbacks(folder: Path, config: Any, overrides: list[str]) -> list[Any]:
    """Keras' TensorBoard callback plus one writing the config text and hparams; [] when
    ``train.tensorboard`` is off."""
    if not config.train.tensorboard:
        return []
    import keras

    log_dir = Path(folder) / LOG_FOLDER
    scalars = keras.callbacks.TensorBoard(
        log_dir=str(log_dir), write_graph=False, update_freq="epoch", histogram_freq=0
    )
    config_mapping = config.as_mapping()

    def describe(*_: Any, **__: Any) -> None:  # the config and overrides, as training starts
        import tensorflow as tf

        writer = tf.summary.create_file_writer(str(log_dir))
        with writer.as_default():
            tf.summary.text("config", config_markdown(config_mapping), step=0)
            if overrides:
                from tensorboard.plugins.hparams import api as hparams_api

                values = hparams_from_overrides(overrides)
                hparams_api.hparams(values, trial_id=log_dir.parent.name)  # the run id
        writer.close()

    return [scalars, keras.callbacks.LambdaCallback(on_train_begin=describe)]
