"""The parameters of the losses the registry builds itself (:mod:`recipes.components.losses`),
as pydantic models: the one place their defaults and bounds are written. The registry checks a
config's loss block with them before Keras is imported, and this project's own Keras losses
(:mod:`recipes.components.keras_objects`) take their settings and defaults from them.
"""

from __future__ import annotations

import pydantic


class LossParams(pydantic.BaseModel):
    """A loss without parameters; subclasses add theirs. Unknown keys are errors."""

    model_config = pydantic.ConfigDict(extra="forbid")


class CrossEntropyParams(LossParams):
    from_logits: bool = False
    label_smoothing: float = pydantic.Field(0.0, ge=0, le=1)


class HuberParams(LossParams):
    delta: float = pydantic.Field(1.0, gt=0)


class FocalParams(LossParams):
    gamma: float = pydantic.Field(2.0, ge=0, description="focusing: shrinks easy samples' loss")
    alpha: float = pydantic.Field(
        0.75, ge=0, le=1, description="weight of positives (1 - alpha: negatives)"
    )
    from_logits: bool = True


class SymmetricCrossEntropyParams(LossParams):
    alpha: float = pydantic.Field(1.0, ge=0, description="weight of the cross entropy")
    beta: float = pydantic.Field(1.0, ge=0, description="weight of the reverse cross entropy")
    clip: float = pydantic.Field(
        1e-4, gt=0, lt=0.5, description="p and y are clipped to [clip, 1 - clip]"
    )
    from_logits: bool = True
