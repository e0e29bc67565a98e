"""MNIST from a local file (``data.source=path``): a damaged or wrong file is one line naming
the array and what is wrong, never a traceback nor a silently wrong digit."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pytest

from recipes.datasets import build_dataset, mnist
from recipes.errors import RecipeError


def arrays(**replaced: np.ndarray) -> dict[str, np.ndarray]:
    digits = {
        "x_train": np.zeros((20, 28, 28), np.uint8),
        "y_train": np.arange(20) % 10,
        "x_test": np.zeros((10, 784), np.uint8),
        "y_test": np.arange(10),
    }
    return {**digits, **replaced}


def mnist_error(path: Path) -> str:
    with pytest.raises(RecipeError) as raised:
        build_dataset("mnist", {"source": "path", "path": str(path)}, seed=0)
    message = str(raised.value)
    assert "\n" not in message and message.startswith("data.source=path")
    assert raised.value.source.startswith("data.source=path")  # the setting, not a key path
    return message


def saved(folder: Path, **replaced: np.ndarray) -> Path:
    path = folder / "digits.npz"
    np.savez(path, **arrays(**replaced))
    return path


def test_a_damaged_archive_is_one_line(tmp_path):
    path = saved(tmp_path)
    damaged = bytearray(path.read_bytes())
    damaged[300] ^= 0xFF  # inside x_train.npy: its CRC no longer matches
    path.write_bytes(bytes(damaged))
    message = mnist_error(path)
    assert f"{path}: array 'x_train' cannot be read (Bad CRC-32 for file 'x_train.npy')" in message


def test_a_member_that_is_not_a_npy_array_is_one_line(tmp_path):
    path = tmp_path / "digits.npz"
    with zipfile.ZipFile(path, "w") as archive:
        for key in mnist.NPZ_KEYS:
            archive.writestr(f"{key}.npy", b"not an array")
    assert f"{path}: array 'x_train' cannot be read (not a .npy array)" in mnist_error(path)


def test_missing_arrays_are_named_once_not_wrapped_in_cannot_read(tmp_path):
    path = tmp_path / "digits.npz"
    np.savez(path, images=np.zeros((2, 28, 28)))
    assert mnist_error(path).startswith(
        f"data.source=path: {path} lacks the array(s) x_train, y_train, x_test, y_test (it holds: "
        "images)"
    )


@pytest.mark.parametrize(
    "replaced, expected",
    [
        ({"x_train": np.uint8(3)}, "array 'x_train' has shape (); it needs one row per sample"),
        ({"x_train": np.full((20, 28, 28), "a")}, "array 'x_train' holds <U1, not numbers"),
        (
            {"x_test": np.full((10, 784), np.nan)},
            "array 'x_test' row 0, column 0 is nan (7840 non-finite value(s) in all)",
        ),
        (
            {"x_train": np.full((20, 784), 300.0)},
            "array 'x_train' holds pixels 300.0..300.0; they must be 0..255 (as in Keras'",
        ),
        (
            {"x_train": np.zeros((20, 5))},
            "array 'x_train' has shape (20, 5); it needs images of 28x28 = 784 pixels",
        ),
        (
            {"y_train": np.array(list("abcdefghij") * 2)},
            "array 'y_train' holds 'a' (20 such label(s)); labels must be digits 0..9",
        ),
        ({"y_train": np.arange(19)}, "array 'y_train' has shape (19,); it needs one class value"),
        ({"x_test": np.zeros((0, 784))}, "array 'x_test' has shape (0, 784); it needs one row"),
        (
            {"y_test": np.eye(10)},
            "array 'y_test' has shape (10, 10); it needs one class value per row of 'x_test'",
        ),
        (
            {"y_train": np.r_[np.arange(19), np.nan] % 10},
            "array 'y_train' row 19, column 0 is nan (1 non-finite value(s) in all)",
        ),
        (
            {"y_train": np.r_[np.arange(19), 1.5] % 10},
            "array 'y_train' holds 1.5 (1 such label(s)); labels must be digits",
        ),
        ({"y_test": np.arange(10) + 1}, "array 'y_test' holds 10 (1 such label(s))"),
    ],
)
def test_wrong_arrays_name_the_array_and_the_problem(tmp_path, replaced, expected):
    assert expected in mnist_error(saved(tmp_path, **replaced))


def test_whole_float_labels_and_a_column_of_labels_are_digits(tmp_path):
    path = saved(tmp_path, y_train=(np.arange(20) % 10).astype(float).reshape(20, 1))
    split = build_dataset("mnist", {"source": "path", "path": str(path)}, seed=0)
    np.testing.assert_array_equal(split.y_train.argmax(axis=1), np.arange(20) % 10)
