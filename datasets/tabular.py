"""What the ``csv`` and ``npz`` datasets share: a table of numeric features and one class label
per row, turned into seeded, stratified train/validation/test splits with the targets the
run's loss declares (-1/+1, 0/1 or one-hot; :mod:`recipes.components.labels`).

Every problem with the user's file is a :class:`~recipes.errors.RecipeError` naming the row or
column, raised while the config is checked (``check_table``), so a bad file stops the run before
its folder exists.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pydantic

from recipes.components.labels import TWO_CLASS_KINDS, LabelKind, encode_labels
from recipes.datasets.base import DATASETS, DatasetParams, Split
from recipes.datasets.sizes import DataSize
from recipes.errors import RecipeError
from recipes.files import file_sha256
from recipes.paths import PROJECT_ROOT


class TableParams(DatasetParams):
    """Parameters shared by the file datasets."""

    path: str = pydantic.Field(
        description="the file; a relative path starts at the current folder, else the project's"
    )
    standardize: bool = pydantic.Field(
        True, description="scale each feature to mean 0, std 1 (statistics of the training rows)"
    )
    validation_fraction: float = pydantic.Field(
        0.2, gt=0, lt=1, description="share of the non-test rows held out for validation"
    )
    test_fraction: float = pydantic.Field(0.2, gt=0, lt=1, description="share of rows for test")


@dataclass
class Table:
    """Rows read from a file: features (float32), each row's class value, feature names (none:
    the Split names them x1, x2, ...)."""

    features: np.ndarray
    labels: np.ndarray
    feature_names: list[str]
    source: str  # the file as the user named it, for messages


def resolve_data_path(text: str) -> Path:
    """The file ``data.path`` names: relative to the current folder, else to the project root;
    RecipeError (one line) when neither exists."""
    path = Path(text).expanduser()
    candidates = [path] if path.is_absolute() else [Path.cwd() / path, PROJECT_ROOT / path]
    candidates = list(dict.fromkeys(candidates))  # the same folder once
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    looked = ", ".join(str(c) for c in candidates)
    raise RecipeError(f"no such file: {text} (looked in {looked})", key="data.path")


def sorted_classes(labels: np.ndarray) -> list[Any]:
    """The distinct class values, numbers in numeric order, else as text in text order."""
    values = list(dict.fromkeys(labels.tolist()))
    try:
        return sorted(values, key=float)
    except (TypeError, ValueError):
        return sorted(values, key=str)


def check_classes(classes: list[Any], encoding: LabelKind, table: Table) -> None:
    """RecipeError when the labels hold one class, or more than the loss takes."""
    shown = ", ".join(repr(c) for c in classes[:10]) + (", ..." if len(classes) > 10 else "")
    if len(classes) < 2:
        raise RecipeError(
            f"{table.source}: the label column holds a single class ({shown})",
            hint="a classifier needs at least two",
        )
    if encoding in TWO_CLASS_KINDS and len(classes) > 2:
        raise RecipeError(
            f"{table.source}: {len(classes)} classes ({shown}) but the loss takes "
            f"2 ({encoding} targets)",
            hint="use a categorical loss such as categorical_crossentropy with a model of that "
            "many outputs",
        )


def stratified_splits(
    count: int, class_indices: np.ndarray, params: TableParams, seed: int, source: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row indices of train, validation and test: seeded, each keeping the class shares."""
    from sklearn.model_selection import train_test_split

    rows = np.arange(count)
    try:
        rest, test = train_test_split(
            rows, test_size=params.test_fraction, stratify=class_indices, random_state=seed
        )
        train, validation = train_test_split(
            rest,
            test_size=params.validation_fraction,
            stratify=class_indices[rest],
            random_state=seed,
        )
    except ValueError as error:  # a class too small to appear in every split
        smallest = int(np.bincount(class_indices).min())
        raise RecipeError(
            f"{source}: too few rows for stratified train/validation/test splits (the smallest "
            f"class has {smallest} row(s)): {error}"
        ) from None
    return train, validation, test


def standardized(features: np.ndarray, train: np.ndarray) -> tuple[np.ndarray, dict]:
    """Features scaled by the training rows' mean and std (a constant feature keeps std 1)."""
    mean = features[train].mean(axis=0)
    std = features[train].std(axis=0)
    std = np.where(std > 0, std, 1.0)
    scaled = ((features - mean) / std).astype("float32")
    if mean.size > 20:  # images: the statistics are too long for run.json
        return scaled, {"fitted_on": "training rows"}
    return scaled, {"mean": mean.round(6).tolist(), "std": std.round(6).tolist()}


def table_split(table: Table, params: TableParams, encoding: LabelKind, seed: int) -> Split:
    """The table as a :class:`Split`: classes encoded as the loss declares, rows split
    (seeded, stratified), features standardized when asked."""
    classes = sorted_classes(table.labels)
    check_classes(classes, encoding, table)
    index_of = {value: index for index, value in enumerate(classes)}
    class_indices = np.array([index_of[value] for value in table.labels.tolist()])
    train, validation, test = stratified_splits(
        len(class_indices), class_indices, params, seed, table.source
    )
    features, info = table.features, {}
    if params.standardize:
        features, info["standardization"] = standardized(features, train)
    targets = encode_labels(class_indices, encoding, len(classes))
    codes = [-1, 1] if encoding == "plus_minus_one" else list(range(len(classes)))
    class_names = {code: f"{value} ({code})" for code, value in zip(codes, classes, strict=True)}
    return Split(
        x_train=features[train],
        y_train=targets[train],
        x_val=features[validation],
        y_val=targets[validation],
        x_test=features[test],
        y_test=targets[test],
        label_kind=encoding,
        feature_names=table.feature_names,
        info={
            "class_names": class_names,
            "classes": [str(value) for value in classes],
            "class_count": len(classes),
            **info,
        },
    )


def register_table_format(
    name: str,
    params: type[TableParams],
    read: Callable[[Any], Table],
    size: Callable[[Any, Path], DataSize | None],
) -> None:
    """Register a file format as a dataset: at config time its check reads and splits the
    file as a run would (RecipeError for any problem, else the number of classes); a run gets
    the rows split 60/20/20 (by default; seeded, stratified), classes encoded as the loss
    declares, features standardized on the training rows, and the file's SHA-256. ``size``
    estimates the data's size from the parameters and the file (:mod:`recipes.datasets.sizes`);
    a file it cannot read (OSError, ValueError, BadZipFile) gives no estimate."""

    def check(settings: TableParams, encoding: LabelKind) -> int:
        return table_split(read(settings), settings, encoding, seed=0).info["class_count"]

    def make(settings: TableParams, seed: int, encoding: LabelKind) -> Split:
        split = table_split(read(settings), settings, encoding, seed)
        split.info["sha256"] = file_sha256(resolve_data_path(settings.path))
        return split

    def files(settings: TableParams) -> list[Path]:
        return [resolve_data_path(settings.path)]

    def estimate(settings: TableParams) -> DataSize | None:
        try:
            return size(settings, resolve_data_path(settings.path))
        except (RecipeError, OSError, ValueError, zipfile.BadZipFile):
            return None  # a file missing or unreadable: the dataset's own check names the problem

    DATASETS.register(
        name, params=params, check=check, files=files, size=estimate, labels_from_loss=True
    )(make)
