"""The user's own files (``csv``, ``npz``): classes encoded as the loss declares, seeded
stratified splits, and one clear line naming the row or column for every bad file."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
import pytest
from conftest import RUN_FILES, shrink_overrides

from recipes.components.losses import LOSSES, loss_label_encoding
from recipes.config.resolve import resolve_recipe
from recipes.datasets import build_dataset
from recipes.errors import RecipeError

HEADER = "x1,x2,kind\n"


def write_csv(folder: Path, rows: list[str], header: str = HEADER) -> Path:
    path = folder / "data.csv"
    path.write_text(header + "".join(f"{row}\n" for row in rows), encoding="utf-8")
    return path


def balanced_rows(classes=("cat", "dog"), per_class: int = 20) -> list[str]:
    return [
        f"{i * 0.1:.1f},{index + i * 0.01:.2f},{name}"
        for index, name in enumerate(classes)
        for i in range(per_class)
    ]


def csv_error(path: Path, *overrides: str, loss: str = "binary_crossentropy") -> str:
    arguments = [f"data.path={path}", f"loss={loss}", *overrides]
    with pytest.raises(RecipeError) as raised:
        resolve_recipe("csv_moons", arguments)
    message = str(raised.value)
    assert "\n" not in message and message.startswith(("configs/csv_moons.yaml: ", "--set: "))
    return message


def test_every_loss_declares_its_targets():
    for name in LOSSES.names():
        assert loss_label_encoding(name) in ("plus_minus_one", "binary", "categorical")
    assert loss_label_encoding("hinge") == "plus_minus_one"
    assert loss_label_encoding("focal") == "binary"
    assert loss_label_encoding("categorical_crossentropy") == "categorical"


@pytest.mark.parametrize(
    "kind, expected",
    [("plus_minus_one", {-1.0, 1.0}), ("binary", {0.0, 1.0}), ("categorical", {0.0, 1.0})],
)
def test_csv_classes_become_the_targets_the_loss_needs(tmp_path, kind, expected):
    params = {"path": str(write_csv(tmp_path, balanced_rows())), "label": "kind"}
    split = build_dataset("csv", params, seed=0, labels=kind)
    assert set(np.unique(split.y_train)) == expected and split.label_kind == kind
    assert split.y_train.shape == ((len(split.y_train), 2) if kind == "categorical" else (25,))
    assert split.info["classes"] == ["cat", "dog"] and split.feature_names == ["x1", "x2"]


def test_csv_splits_are_seeded_stratified_and_standardized(tmp_path):
    rows = balanced_rows(("a", "b", "c"), per_class=30)
    params = {"path": str(write_csv(tmp_path, rows)), "label": "kind"}
    encoding = "categorical"
    first, again = (build_dataset("csv", params, 3, encoding) for _ in range(2))
    other = build_dataset("csv", params, 4, encoding)
    np.testing.assert_array_equal(first.x_train, again.x_train)
    assert not np.array_equal(first.x_train, other.x_train)
    for targets in (first.y_train, first.y_val, first.y_test):  # each split keeps 1/3 per class
        np.testing.assert_allclose(targets.mean(axis=0), 1 / 3, atol=0.02)
    assert (len(first.x_train), len(first.x_val), len(first.x_test)) == (57, 15, 18)
    np.testing.assert_allclose(first.x_train.mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(first.x_train.std(axis=0), 1, atol=1e-4)


def test_csv_numeric_labels_and_feature_subset(tmp_path):
    rows = [f"{i},{i % 3},{float(i % 2)}" for i in range(40)]  # labels 0.0 / 1.0
    path = write_csv(tmp_path, rows, header="a,b,target\n")
    params = {"path": str(path), "label": "target", "features": ["b"], "standardize": False}
    split = build_dataset("csv", params, 0, "plus_minus_one")
    assert split.x_train.shape == (25, 1) and split.info["classes"] == ["0", "1"]
    assert split.info["class_names"] == {-1: "0 (-1)", 1: "1 (1)"}


def test_the_example_csv_trains_from_its_config_file(tmp_path):
    import json

    from conftest import run_recipe

    folder = run_recipe(resolve_recipe("csv_moons", shrink_overrides("csv_moons")), tmp_path, 0)
    assert {p.name for p in folder.iterdir()} == RUN_FILES | {"predictions.png"}
    record = json.loads((folder / "run.json").read_text())
    assert record["status"] == "completed" and record["data"]["classes"] == ["lower", "upper"]
    assert record["data"]["sizes"] == {"train": 153, "validation": 39, "test": 48}


def test_missing_file(tmp_path):
    message = csv_error(tmp_path / "nowhere.csv")
    assert "data.path: no such file: " in message and "nowhere.csv" in message


def test_missing_label_and_feature_columns(tmp_path):
    path = write_csv(tmp_path, balanced_rows())
    assert "data.label: " in csv_error(path, "data.label=species", "data.features=null")
    assert "has no column 'species'; its columns: x1, x2, kind" in csv_error(
        path, "data.label=species", "data.features=null"
    )
    message = csv_error(path, "data.label=kind", "data.features=[x1,x3]")
    assert message.endswith(
        "data.features: " + str(path) + " has no column 'x3'; its columns: x1, x2, kind"
    )


def test_non_numeric_value_names_line_and_column(tmp_path):
    rows = balanced_rows()
    rows[4] = "0.4,abc,cat"
    message = csv_error(write_csv(tmp_path, rows), "data.label=kind", "data.features=null")
    assert message.endswith(f"{tmp_path / 'data.csv'} line 6, column 'x2': 'abc' is not a number")


@pytest.mark.parametrize("cell", ["nan", "", "NA", "inf"])
def test_missing_or_non_finite_value_names_line_and_column(tmp_path, cell):
    rows = balanced_rows()
    rows[9] = f"{cell},0.5,dog"
    message = csv_error(write_csv(tmp_path, rows), "data.label=kind", "data.features=null")
    assert f"line 11, column 'x1': {cell!r} is not a finite number" in message or (
        f"line 11, column 'x1': missing value ({cell!r})" in message
    )


def test_single_class(tmp_path):
    path = write_csv(tmp_path, balanced_rows(("cat",)))
    message = csv_error(path, "data.label=kind", "data.features=null")
    assert message.endswith(
        "the label column holds a single class ('cat'); a classifier needs at least two"
    )


def test_more_classes_than_the_loss_allows(tmp_path):
    path = write_csv(tmp_path, balanced_rows(("a", "b", "c")))
    message = csv_error(path, "data.label=kind", "data.features=null", loss="hinge")
    assert "3 classes ('a', 'b', 'c') but the loss takes 2 (plus_minus_one targets)" in message
    columns = ["data.label=kind", "data.features=null"]
    message = csv_error(path, *columns, loss="categorical_crossentropy")  # a one-output model
    assert "model: 'mlp' emits 1 value(s) per sample, but loss " in message
    assert message.endswith("needs 3; choose a model with output: softmax and classes: 3")
    resolve_recipe(  # a categorical loss and a model with three outputs take them
        "csv_moons",
        [
            f"data.path={path}",
            "data.label=kind",
            "data.features=null",
            "loss=categorical_crossentropy",
            "model={name: mlp, hidden_units: [8], output: softmax, classes: 3}",
        ],
    )


def test_too_few_rows_of_a_class_for_stratified_splits(tmp_path):
    path = write_csv(tmp_path, [*balanced_rows(("a",)), "0.1,0.2,b"])
    message = csv_error(path, "data.label=kind", "data.features=null")
    assert (
        "too few rows for stratified train/validation/test splits (the smallest class has "
        "1 row(s))" in message
    )


# ------------------------------------------------------------------------------------- npz


def npz_error(tmp_path: Path, loss: str = "binary_crossentropy", **arrays) -> str:
    path = tmp_path / "data.npz"
    np.savez(path, **arrays)
    with pytest.raises(RecipeError) as raised:
        resolve_recipe("csv_moons", ["data={name: npz, path: " + str(path) + "}", f"loss={loss}"])
    message = str(raised.value)
    assert "\n" not in message
    return message


def two_classes(count: int = 40) -> tuple[np.ndarray, np.ndarray]:
    features = np.random.default_rng(0).normal(size=(count, 2))
    return features, np.arange(count) % 2


def test_npz_trains_like_csv(tmp_path):
    features, labels = two_classes()
    path = tmp_path / "arrays.npz"
    np.savez(path, x=features, y=np.where(labels == 1, "yes", "no"))
    split = build_dataset("npz", {"path": str(path)}, 0, "plus_minus_one")
    assert split.x_train.dtype == np.float32 and split.x_train.shape == (25, 2)
    assert set(np.unique(split.y_test)) == {-1.0, 1.0} and split.info["classes"] == ["no", "yes"]


def test_npz_errors_name_the_array_and_row(tmp_path):
    features, labels = two_classes()
    assert "data.path: no such file: " in npz_error_path(tmp_path / "none.npz")
    assert (
        "lacks the array(s) y (it holds: x); write it with numpy.savez(path, x=..., y=...)"
        in npz_error(tmp_path, x=features)
    )
    assert "array 'x' holds <U1, not numbers" in npz_error(
        tmp_path, x=np.full((40, 2), "a"), y=labels
    )
    broken = features.copy()
    broken[7, 1] = np.nan
    assert "array 'x' row 7, column 1 is nan (1 non-finite value(s) in all)" in npz_error(
        tmp_path, x=broken, y=labels
    )
    assert "single class" in npz_error(tmp_path, x=features, y=np.zeros(40))
    assert "3 classes (0, 1, 2) but the loss takes 2" in npz_error(
        tmp_path, x=features, y=np.arange(40) % 3
    )
    assert "array 'y' has shape (39,)" in npz_error(tmp_path, x=features, y=labels[:39])


def npz_error_path(path: Path) -> str:
    with pytest.raises(RecipeError) as raised:
        resolve_recipe("csv_moons", ["data={name: npz, path: " + str(path) + "}"])
    return str(raised.value)


def npz_file_error(path: Path) -> str:
    message = npz_error_path(path)
    assert "\n" not in message and message.startswith("--set: ")
    return message


def saved_npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def test_npz_files_that_cannot_be_read_are_one_line(tmp_path):
    features, labels = two_classes()
    empty = tmp_path / "empty.npz"
    empty.write_bytes(b"")
    assert npz_file_error(empty).endswith(
        f"data.path: {empty} is not a NumPy .npz file (No data left in file)"
    )
    good = tmp_path / "good.npz"
    np.savez(good, x=features, y=labels)
    damaged = bytearray(good.read_bytes())
    damaged[len(damaged) // 3] ^= 0xFF  # inside x.npy's compressed-or-stored bytes: a bad CRC
    (tmp_path / "crc.npz").write_bytes(bytes(damaged))
    assert "array 'x' cannot be read (Bad CRC-32 for file 'x.npy'); write the file again" in (
        npz_file_error(tmp_path / "crc.npz")
    )
    with zipfile.ZipFile(tmp_path / "members.npz", "w") as archive:
        archive.writestr("x.npy", b"not an array")  # NpzFile hands back these bytes as is
        archive.writestr("y.npy", saved_npy(labels))
    assert "array 'x' cannot be read (not a .npy array)" in npz_file_error(tmp_path / "members.npz")
    with zipfile.ZipFile(tmp_path / "short.npz", "w") as archive:
        archive.writestr("x.npy", saved_npy(features)[:200])  # cut short
        archive.writestr("y.npy", saved_npy(labels))
    message = npz_file_error(tmp_path / "short.npz")
    assert "array 'x' cannot be read (EOF: reading array data" in message  # not "Python objects"


def test_npz_object_arrays_and_shapes_without_features(tmp_path):
    features, labels = two_classes()
    objects = np.array([[None, None]] * 40, dtype=object)  # only pickle can read them
    assert "array 'x' holds Python objects, not numbers" in npz_error(tmp_path, x=objects, y=labels)
    assert "array 'x' has shape (40, 0); it needs one row per sample" in npz_error(
        tmp_path, x=np.zeros((40, 0)), y=labels
    )
    assert "array 'x' has shape (); it needs one row per sample" in npz_error(
        tmp_path, x=np.float64(3), y=labels
    )
    assert "array 'y' has shape (); it needs one class value per row" in npz_error(
        tmp_path, x=features, y=np.int64(1)
    )


def test_values_beyond_float32_are_refused_not_made_infinite(tmp_path):
    features, labels = two_classes()
    features[3, 1] = 1e300
    assert npz_error(tmp_path, x=features, y=labels).endswith(
        "array 'x' row 3, column 1 is 1e+300, beyond float32's range (±3.4e+38; 1 such value(s) "
        "in all); rescale the features"
    )
    rows = balanced_rows()
    rows[2] = "1e39,0.5,cat"
    message = csv_error(write_csv(tmp_path, rows), "data.label=kind", "data.features=null")
    assert message.endswith(
        "line 4, column 'x1': '1e39' is beyond float32's range (±3.4e+38); rescale the column"
    )


def test_bad_file_on_the_command_line_is_one_line_exit_2_no_run_folder(cli, tmp_path):
    path = write_csv(tmp_path, ["0.1,oops,cat"])
    result = cli(
        "run",
        "csv_moons",
        "--set",
        f"data.path={path}",
        "--set",
        "data.label=kind",
        "--set",
        "data.features=null",
        "--output-root",
        str(tmp_path / "out"),
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        f"error: --set: {path} line 2, column 'x2': 'oops' is not a number"
    ]
    assert not (tmp_path / "out").exists()


# ------------------------------------------------------------------------ errors' key paths


def raised_by(function, *arguments) -> RecipeError:
    with pytest.raises(RecipeError) as raised:
        function(*arguments)
    return raised.value


@pytest.mark.parametrize(
    "params, key, message",
    [
        ({"label": "species"}, "data.label", "has no column 'species'"),
        ({"label": "kind", "features": ["x3"]}, "data.features", "has no column 'x3'"),
        ({"label": "kind", "path": "nowhere.csv"}, "data.path", "no such file: nowhere.csv"),
    ],
)
def test_csv_errors_carry_their_key_as_a_field(tmp_path, params, key, message):
    params = {"path": str(write_csv(tmp_path, balanced_rows())), **params}
    error = raised_by(build_dataset, "csv", params, 0, "binary")
    assert error.key == key and error.message.startswith((str(tmp_path), message))
    assert message in error.message and str(error).startswith(f"{key}: {error.message}")


def test_a_bad_cell_is_about_the_file_no_key(tmp_path):
    rows = balanced_rows()
    rows[0] = "abc,0.1,cat"
    params = {"path": str(write_csv(tmp_path, rows)), "label": "kind"}
    error = raised_by(build_dataset, "csv", params, 0, "binary")
    assert error.key is None and str(error) == f"{tmp_path / 'data.csv'} line 2, column 'x1': " + (
        "'abc' is not a number"
    )
